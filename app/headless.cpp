#include "app/headless.hpp"

#include <cstdio>

#include "app/node.hpp"
#include "app/shutdown_signals.hpp"

namespace koe {

int run_headless(const Profile& profile, const CliOptions& options) {
  const ShutdownSignals signals;  // before Node::start creates the net thread
  Node node(node_config_from(profile));
  if (const std::string error = node.start(); !error.empty()) {
    std::fprintf(stderr, "koe: %s; choose another port with --listen PORT\n", error.c_str());
    return 1;
  }
  const AppSnapshot started = node.snapshot();
  std::printf("koe: node %s listening on UDP port %u (profile %s)\n", started.user_id.c_str(),
              unsigned{started.listen_port}, started.profile_dir.c_str());
  std::fflush(stdout);

  std::optional<Duration> limit;
  if (options.duration_s)
    limit = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(*options.duration_s));
  const auto signal_number = signals.wait(limit);
  node.stop();
  if (signal_number) {
    std::printf("koe: stopped on signal %d\n", *signal_number);
  } else {
    std::printf("koe: stopped after %.3g s\n", *options.duration_s);
  }
  return 0;
}

}  // namespace koe
