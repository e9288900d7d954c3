// The koe command line: options, subcommands and their validation (CLI11).
// Pure parsing, no side effects; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace koe {

enum class CliCommand {
  kRun,       // the desktop app, or a node without a window with --headless
  kId,        // print the profile's user ID
  kSearch,    // search the Global Index and print verified results as JSON lines
  kContacts,  // list or edit the profile's contacts
};

enum class ContactsAction { kList, kAdd, kRemove, kBlock };

// "host:port" as given (the host is resolved later); port 1-65535.
struct HostPort {
  std::string host;
  uint16_t port = 0;
  friend bool operator==(const HostPort&, const HostPort&) = default;
};
// Parses "host:port"; the error names what is wrong.
std::optional<HostPort> parse_host_port(std::string_view text, std::string* error = nullptr);

struct CliOptions {
  CliCommand command = CliCommand::kRun;
  bool headless = false;
  std::string profile_dir;              // empty: the default profile directory
  std::optional<uint16_t> listen_port;  // empty: the port remembered in the profile
  std::optional<double> duration_s;     // headless: stop after this many seconds
  std::optional<std::string> name;      // display name to store in the profile
  std::vector<HostPort> bootstrap;      // --bootstrap, repeatable
  std::optional<std::string> supernode;  // "auto" | "always" | "never"
  std::string lan_address;              // --lan-address: advertised LAN IPv4
  std::string bind_address;             // --bind: the socket's IPv4 address
  // What a volunteer supernode gives, and the election's timing (headless).
  std::optional<double> supernode_upstream_kbps;
  std::optional<double> supernode_max_cpu_percent;
  std::optional<uint32_t> supernode_max_clients;
  std::optional<double> election_min_uptime_s;
  std::optional<double> election_reaction_s;
  std::optional<double> election_min_cpu;
  std::string audio_in;                 // --audio-in WAV
  std::string audio_out;                // --audio-out WAV
  std::string call;                     // --call ID
  std::string auto_answer;              // "" | "contacts" | "anyone"
  bool echo_service = false;
  double echo_record_s = 10;            // --echo-record: how long the echo service records
  std::string stats_json;               // --stats-json FILE
  // search QUERY; contacts ACTION [ID] [--message TEXT]
  std::string query;
  ContactsAction contacts_action = ContactsAction::kList;
  std::string contact_id;
  std::string message;
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
