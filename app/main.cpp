// koe: the desktop app, a headless node, or a one-shot command (see README.md).
#include <cstdio>
#include <string>
#include <vector>

#include "app/cli.hpp"
#include "app/headless.hpp"
#include "app/one_shot_commands.hpp"
#include "app/profile.hpp"
#include "net/random.hpp"
#include "net/user_id.hpp"
#include "ui/desktop_app.hpp"

namespace {

constexpr int kExitFailure = 1;

// Opens (or creates) the profile and applies --name and --listen to it.
std::optional<koe::Profile> open_profile(const koe::CliOptions& options) {
  std::filesystem::path dir = options.profile_dir;
  if (dir.empty()) {
    auto fallback = koe::default_profile_dir();
    if (!fallback) {
      std::fprintf(stderr, "koe: %s; use --profile DIR\n", fallback.error().c_str());
      return std::nullopt;
    }
    dir = *fallback;
  }
  koe::SystemRandom random;
  auto profile = koe::Profile::open_or_create(dir, random);
  if (!profile) {
    std::fprintf(stderr, "koe: %s\n", profile.error().message().c_str());
    return std::nullopt;
  }
  koe::Settings settings = profile->settings();
  bool changed = false;
  if (options.name && *options.name != settings.display_name) {
    settings.display_name = *options.name;
    changed = true;
  }
  // The echo test service introduces itself as such unless told otherwise.
  if (options.echo_service && !options.name && settings.display_name.empty()) {
    settings.display_name = "Echo Test";
    changed = true;
  }
  if (options.supernode) {
    const auto mode = koe::parse_supernode_mode(*options.supernode);
    if (mode && *mode != settings.supernode_mode) {
      settings.supernode_mode = *mode;
      changed = true;
    }
  }
  if (options.listen_port && *options.listen_port != settings.listen_port) {
    settings.listen_port = *options.listen_port;
    changed = true;
  }
  if (changed) {
    if (auto error = profile->save_settings(settings)) {
      std::fprintf(stderr, "koe: %s\n", error->message().c_str());
      return std::nullopt;
    }
  }
  return std::move(*profile);
}

}  // namespace

int main(int argc, char** argv) {
  const auto cli = koe::parse_cli(std::vector<std::string>(argv, argv + argc));
  std::fputs(cli.out.c_str(), stdout);
  std::fputs(cli.err.c_str(), stderr);
  if (!cli.options) return cli.exit_code;
  const koe::CliOptions& options = *cli.options;

  auto profile = open_profile(options);
  if (!profile) return kExitFailure;

  switch (options.command) {
    case koe::CliCommand::kId:
      std::printf("%s\n", koe::to_user_id(profile->identity().node_id()).c_str());
      return 0;
    case koe::CliCommand::kSearch:
      return koe::run_search(*profile, options);
    case koe::CliCommand::kContacts:
      return koe::run_contacts(*profile, options);
    case koe::CliCommand::kRun:
      break;
  }
  if (options.headless) return koe::run_headless(*profile, options);
  return koe::ui::run_desktop_app(*profile);
}
