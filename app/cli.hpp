// The koe command line: options, subcommands and their validation (CLI11).
// Pure parsing, no side effects; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace koe {

enum class CliCommand {
  kRun,  // the desktop app, or a node without a window with --headless
  kId,   // print the profile's user ID
};

struct CliOptions {
  CliCommand command = CliCommand::kRun;
  bool headless = false;
  std::string profile_dir;              // empty: the default profile directory
  std::optional<uint16_t> listen_port;  // empty: the port remembered in the profile
  std::optional<double> duration_s;     // headless: stop after this many seconds
  std::optional<std::string> name;      // display name to store in the profile
};

struct CliResult {
  std::optional<CliOptions> options;  // set when the program should go on
  int exit_code = 0;                  // otherwise exit with this code
  std::string out;                    // text for stdout (help, version)
  std::string err;                    // text for stderr (errors)
};

// Parses argv. Unknown or malformed options give exit code 2 and an error that
// names the option; --help and --version give exit code 0 and their text.
CliResult parse_cli(const std::vector<std::string>& args);

std::string version_text();

}  // namespace koe
