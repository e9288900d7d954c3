#include "ui/desktop_app.hpp"

#include <cstdio>

#include "app/node.hpp"
#include "ui/home_view.hpp"
#include "ui/window.hpp"

namespace koe::ui {

int run_desktop_app(const Profile& profile) {
  std::string error;
  auto window = Window::open("Koe", error);
  if (!window) {
    std::fprintf(stderr, "koe: %s; run 'koe --headless' for a node without a window\n", error.c_str());
    return 1;
  }
  Node node(node_config_from(profile));
  node.start();  // a failure shows in the window as "Offline: <reason>"
  HomeView home;
  window->run([&] { home.draw(node.snapshot()); }, [] { return true; });
  node.stop();
  return 0;
}

}  // namespace koe::ui
