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

void add_bootstrap_option(CLI::App& app, CliOptions& o) {
  app.add_option_function<std::vector<std::string>>(
         "--bootstrap",
         [&o](const std::vector<std::string>& values) {
           for (const auto& value : values) {
             std::string error;
             auto parsed = parse_host_port(value, &error);
             if (!parsed) throw CLI::ValidationError("--bootstrap", error);
             o.bootstrap.push_back(*parsed);
           }
         },
         "A supernode to join, HOST:PORT (repeatable); remembered in the profile's host cache")
      ->type_name("HOST:PORT")
      ->allow_extra_args(false);
}

}  // namespace

std::optional<HostPort> parse_host_port(std::string_view text, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<HostPort> {
    if (error) *error = "'" + std::string(text) + "': " + why;
    return std::nullopt;
  };
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return fail("expected HOST:PORT");
  const std::string_view host = text.substr(0, colon);
  const std::string_view port = text.substr(colon + 1);
  if (host.empty()) return fail("the host is missing");
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos)
    return fail("the port must be a number from 1 to 65535");
  const int number = std::stoi(std::string(port));
  if (number < 1 || number > 65535) return fail("the port must be a number from 1 to 65535");
  return HostPort{std::string(host), static_cast<uint16_t>(number)};
}

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
  add_bootstrap_option(app, o);
  app.add_option("--supernode", o.supernode,
                 "Serve the Global Index: auto (when no network is known, start a local one), "
                 "always, never; stored in the profile")
      ->type_name("MODE")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_option("--lan-address", o.lan_address,
                 "IPv4 address to advertise as this node's LAN endpoint (default: the first "
                 "non-loopback interface)")
      ->type_name("IP")
      ->check(CLI::ValidIPV4);
  app.add_option("--bind", o.bind_address,
                 "IPv4 address to bind the UDP socket to (default: all interfaces); also the "
                 "advertised LAN address unless --lan-address says otherwise")
      ->type_name("IP")
      ->check(CLI::ValidIPV4);
  app.add_option("--supernode-upstream-kbps", o.supernode_upstream_kbps,
                 "Most upstream bandwidth this node gives when it serves as supernode (default: "
                 "all it measures); sizes how many clients and relayed calls it takes")
      ->type_name("KBPS")
      ->check(CLI::Range(1.0, 10'000'000.0));
  app.add_option("--supernode-max-cpu", o.supernode_max_cpu_percent,
                 "Most CPU this node gives when it serves as supernode, in percent of one core "
                 "(default: all its measured idle time)")
      ->type_name("PERCENT")
      ->check(CLI::Range(1.0, 100.0));
  app.add_option("--supernode-max-clients", o.supernode_max_clients,
                 "At most this many attached clients when serving as supernode (default 200)")
      ->type_name("N")
      ->check(CLI::Range(1, 100'000));
  app.add_option("--election-min-uptime", o.election_min_uptime_s,
                 "Seconds online before a node may volunteer on load (default 14400: 4 h)")
      ->type_name("SECONDS")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--election-reaction", o.election_reaction_s,
                 "Longest random delay before a node acts on its supernodes' load (default 300)")
      ->type_name("SECONDS")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--election-min-cpu", o.election_min_cpu,
                 "Idle share of one core a node needs to volunteer (default 0.5)")
      ->type_name("FRACTION")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--audio-in", o.audio_in,
                 "Use a WAV file as the microphone (loops; restarts when a call connects)")
      ->type_name("WAV");
  app.add_option("--audio-out", o.audio_out, "Record what the speaker plays into a WAV file")->type_name("WAV");
  app.add_option("--call", o.call,
                 "With --headless: once online, call this user ID; with --duration, hang up that "
                 "many seconds after the call connected and exit 0; exit 1 with the reason if the "
                 "call fails")
      ->type_name("ID");
  app.add_option("--auto-answer", o.auto_answer, "With --headless: answer calls from contacts or anyone")
      ->type_name("WHO")
      ->check(CLI::IsMember({"contacts", "anyone"}));
  app.add_flag("--echo-service", o.echo_service,
               "Run the echo test service: named \"Echo Test\", answers every call, records about "
               "10 s, plays it back, hangs up");
  app.add_option("--echo-record", o.echo_record_s, "With --echo-service: seconds to record before playing back (default 10)")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.5, 60.0));
  app.add_option("--stats-json", o.stats_json, "With --headless: write the node's, contacts' and calls' statistics as JSON, every second and on exit")
      ->type_name("FILE");

  CLI::App* id = app.add_subcommand("id", "Print this profile's user ID (creating the identity on first run)");
  add_profile_option(*id, o);

  CLI::App* search = app.add_subcommand("search", "Search users by name or ID; prints verified results as JSON lines");
  add_profile_option(*search, o);
  add_bootstrap_option(*search, o);
  search->add_option("QUERY", o.query, "Words or prefixes of a display name, or a koe1... ID")->required();

  CLI::App* contacts = app.add_subcommand("contacts", "List or edit this profile's contacts");
  add_profile_option(*contacts, o);
  contacts->require_subcommand(1);
  contacts->add_subcommand("list", "Print the contacts as JSON lines");
  CLI::App* add = contacts->add_subcommand("add", "Add a contact; the request is sent when the node next runs");
  add->add_option("ID", o.contact_id, "The user's koe1... ID")->required();
  add->add_option("--message", o.message, "A short note sent with the request")->type_name("TEXT");
  contacts->add_subcommand("remove", "Remove a contact or request")
      ->add_option("ID", o.contact_id, "The user's koe1... ID")
      ->required();
  contacts->add_subcommand("block", "Block an ID: no calls or requests from it")
      ->add_option("ID", o.contact_id, "The user's koe1... ID")
      ->required();

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
  if (search->parsed()) o.command = CliCommand::kSearch;
  if (contacts->parsed()) {
    o.command = CliCommand::kContacts;
    for (const auto* sub : contacts->get_subcommands()) {
      const std::string& name = sub->get_name();
      o.contacts_action = name == "add"      ? ContactsAction::kAdd
                          : name == "remove" ? ContactsAction::kRemove
                          : name == "block"  ? ContactsAction::kBlock
                                             : ContactsAction::kList;
    }
  }
  const char* needs_headless = o.duration_s             ? "--duration"
                               : !o.call.empty()        ? "--call"
                               : !o.auto_answer.empty() ? "--auto-answer"
                               : !o.stats_json.empty()  ? "--stats-json"
                                                        : nullptr;
  if (needs_headless && !o.headless) {
    result.exit_code = kUsageError;
    result.err = std::string("koe: ") + needs_headless + " needs --headless\n";
    return result;
  }
  result.options = o;
  return result;
}

}  // namespace koe
