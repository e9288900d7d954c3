#include "ui/main_view.hpp"

#include <imgui.h>

#include "ui/widgets.hpp"

namespace koe::ui {

SettingsRequests MainView::draw(const AppSnapshot& snapshot, const CommandSink& sink,
                                const SettingsPageContext& settings, double now_s) {
  SettingsRequests requests;
  widgets::begin_page("Koe");
  status_.draw(snapshot, sink);
  // Each page scrolls on its own below the status bar.
  const auto page = [](const char* label, auto&& body) {
    if (!widgets::tab(label)) return;
    ImGui::BeginChild(label, ImVec2(0, 0), false, ImGuiWindowFlags_NoBackground);
    body();
    ImGui::EndChild();
    ImGui::EndTabItem();
  };
  if (snapshot.call && !incoming_call_ringing(snapshot)) {
    ImGui::BeginChild("call", ImVec2(0, 0), false, ImGuiWindowFlags_NoBackground);
    call_.draw(snapshot, sink);
    ImGui::EndChild();
  } else if (ImGui::BeginTabBar("main tabs")) {
    page("Contacts", [&] { contacts_.draw(snapshot, sink); });
    page("Search", [&] { search_.draw(snapshot, sink); });
    page("History", [&] { history_.draw(snapshot, sink); });
    page("Settings", [&] { requests = settings_.draw(snapshot, sink, settings); });
    page("Diagnostics", [&] { diagnostics_.draw(snapshot, now_s); });
    ImGui::EndTabBar();
  }
  incoming_.draw(snapshot, sink);
  widgets::end_page();
  return requests;
}

}  // namespace koe::ui
