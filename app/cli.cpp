#include "app/cli.hpp"

#include <CLI/CLI.hpp>

#include "net/udp_host.hpp"
#include "net/wire.hpp"

#ifndef KOE_VERSION
#define KOE_VERSION "0.0.0-dev"
#endif

namespace koe {

namespace {

constexpr int kUsageError = 2;  // as getopt-style tools and the issue ask

void add_profile_option(CLI::App& app, CliOptions& o) {
  app.add_option("--profile", o.profile_dir,
                 "Profile directory (identity, settings, contacts); default "
                 "$XDG_DATA_HOME/koe, else ~/.local/share/koe")
      ->type_name("DIR");
}

}  // namespace

std::string version_text() {
  return std::string("koe ") + KOE_VERSION + " (protocol " +
         std::to_string(wire::kProtocolVersion) + ")\n";
}

CliResult parse_cli(const std::vector<std::string>& args) {
  CliOptions o;
  CLI::App app{"Koe (声): peer-to-peer voice calls.\n"
               "Without --headless, opens the desktop app.",
               "koe"};
  app.set_version_flag("--version", version_text().substr(0, version_text().size() - 1));
  app.get_formatter()->column_width(34);

  add_profile_option(app, o);
  app.add_flag("--headless", o.headless,
               "Run a node without a window until SIGINT/SIGTERM (or --duration)");
  app.add_option("--listen", o.listen_port,
                 "UDP port to listen on (1025-65535); default: a random port chosen "
                 "on first run and remembered in the profile")
      ->type_name("PORT")
      ->check(CLI::Range(int{kMinListenPort}, int{kMaxListenPort}));
  app.add_option("--duration", o.duration_s, "With --headless: run this many seconds, then stop cleanly")
      ->type_name("SECONDS")
      ->check(CLI::PositiveNumber);
  app.add_option("--name", o.name, "Display name to store in the profile")->type_name("NAME");

  CLI::App* id = app.add_subcommand("id", "Print this profile's user ID (creating the identity on first run)");
  add_profile_option(*id, o);

  CliResult result;
  std::vector<std::string> reversed(args.rbegin(), args.rend() - (args.empty() ? 0 : 1));
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    result.out = app.help();
    return result;
  } catch (const CLI::CallForVersion&) {
    result.out = version_text();
    return result;
  } catch (const CLI::ParseError& e) {
    result.exit_code = kUsageError;
    result.err = std::string("koe: ") + e.what() + "\nRun 'koe --help' for the options.\n";
    return result;
  }
  if (id->parsed()) o.command = CliCommand::kId;
  if (o.duration_s && !o.headless) {
    result.exit_code = kUsageError;
    result.err = "koe: --duration needs --headless\n";
    return result;
  }
  result.options = o;
  return result;
}

}  // namespace koe
