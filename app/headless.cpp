#include "app/headless.hpp"

#include <cstdio>

#include "app/profile_json_file.hpp"
#include "app/shutdown_signals.hpp"
#include "app/stats_json.hpp"
#include "audio/alert_sounds.hpp"
#include "audio/open_audio_device.hpp"
#include "audio/voice_engine.hpp"
#include "net/resolve.hpp"

namespace koe {

namespace {

constexpr int kExitFailure = 1;
// How long --call waits to get online, then for the call to connect (ringing included).
constexpr Duration kOnlineTimeout = std::chrono::seconds(20);
// How long --call waits, once online, for the NAT discovery's result.
constexpr Duration kNatWait = std::chrono::seconds(3);
constexpr Duration kConnectTimeout = std::chrono::seconds(60);
constexpr Duration kHangUpTimeout = std::chrono::seconds(5);
// Signals are checked between waits on the node this often.
constexpr Duration kSignalSlice = std::chrono::milliseconds(100);
constexpr Duration kStatsInterval = std::chrono::seconds(1);

Duration seconds(double s) { return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s)); }

AutoAnswer auto_answer_from(const std::string& text) {
  if (text == "anyone") return AutoAnswer::kAnyone;
  if (text == "contacts") return AutoAnswer::kContacts;
  return AutoAnswer::kOff;
}

// Rewrites the --stats-json file atomically, so scripts may read it while we run.
void write_stats(const CliOptions& options, const AppSnapshot& snapshot) {
  if (options.stats_json.empty()) return;
  if (auto error = write_profile_text(options.stats_json, stats_json(snapshot).dump(2) + "\n"))
    std::fprintf(stderr, "koe: %s\n", error->message().c_str());
}

// Waits for `done` on the node's snapshots, returning early on SIGINT/SIGTERM, and
// keeps the statistics file fresh meanwhile.
struct WaitResult {
  AppSnapshot snapshot;
  bool done = false;
  std::optional<int> signal;
};
WaitResult wait_for(const Node& node, const ShutdownSignals& signals, const CliOptions& options,
                    const std::function<bool(const AppSnapshot&)>& done, std::optional<Duration> timeout) {
  const TimePoint deadline = timeout ? SteadyClock().now() + *timeout : kNever;
  TimePoint next_stats = SteadyClock().now();
  WaitResult result;
  for (;;) {
    result.snapshot = node.wait_until(done, kSignalSlice);
    if (done(result.snapshot)) {
      result.done = true;
      return result;
    }
    if ((result.signal = signals.wait(Duration{0}))) return result;
    const TimePoint now = SteadyClock().now();
    if (now >= deadline) return result;
    if (now >= next_stats) {
      write_stats(options, result.snapshot);
      next_stats = now + kStatsInterval;
    }
  }
}

// Runs until a signal or `limit`, rewriting the statistics file every few seconds
// when one was asked for (and otherwise sleeping in sigtimedwait).
std::optional<int> run_until_stopped(const Node& node, const ShutdownSignals& signals, const CliOptions& options,
                                     std::optional<Duration> limit) {
  if (options.stats_json.empty()) return signals.wait(limit);
  const TimePoint deadline = limit ? SteadyClock().now() + *limit : kNever;
  for (;;) {
    write_stats(options, node.snapshot());
    const TimePoint now = SteadyClock().now();
    if (now >= deadline) return std::nullopt;
    if (const auto signal_number = signals.wait(std::min<Duration>(kStatsInterval, deadline - now)))
      return signal_number;
  }
}

// --call: get online, call, keep the call for --duration, hang up. Returns the exit status.
int place_call(Node& node, const ShutdownSignals& signals, const CliOptions& options) {
  auto online = wait_for(node, signals, options, [](const AppSnapshot& s) { return s.network == NetworkState::kOnline; },
                         kOnlineTimeout);
  if (online.signal) return 0;
  if (!online.done) {
    std::fprintf(stderr, "koe: call failed: not online (%s)\n", online.snapshot.network_detail.c_str());
    return kExitFailure;
  }
  // Punch offers carry our NAT's profile: give its discovery (about a second) the chance
  // to finish, as a person would by not dialling the instant the app starts.
  if (wait_for(node, signals, options, [](const AppSnapshot& s) { return !s.nat.empty(); }, kNatWait).signal) return 0;
  node.command(command::Call{options.call});
  const size_t ended_before = online.snapshot.call_history.size();
  auto settled = wait_for(
      node, signals, options,
      [&](const AppSnapshot& s) {
        return (s.call && s.call->state == CallState::kActive) || s.call_history.size() > ended_before;
      },
      kConnectTimeout);
  if (settled.signal) return 0;
  if (!settled.done || settled.snapshot.call_history.size() > ended_before) {
    const std::string reason =
        settled.done ? settled.snapshot.call_history.back().end_reason : std::string("no answer");
    std::fprintf(stderr, "koe: call failed: %s\n", reason.c_str());
    if (settled.done) return kExitFailure;
    node.command(command::HangUp{});
    return kExitFailure;
  }
  std::printf("koe: call connected with %s\n", options.call.c_str());
  std::fflush(stdout);
  auto held = wait_for(
      node, signals, options, [&](const AppSnapshot& s) { return s.call_history.size() > ended_before; },
      options.duration_s ? std::optional(seconds(*options.duration_s)) : std::nullopt);
  if (held.done) {
    std::printf("koe: call ended: %s\n", held.snapshot.call_history.back().end_reason.c_str());
    return 0;
  }
  node.command(command::HangUp{});
  wait_for(node, signals, options, [&](const AppSnapshot& s) { return s.call_history.size() > ended_before; },
           kHangUpTimeout);
  std::printf("koe: hung up\n");
  return 0;
}

}  // namespace

Expected<NodeConfig, std::string> headless_node_config(const Profile& profile, const CliOptions& options) {
  NodeConfig config = node_config_from(profile);
  for (const auto& host : options.bootstrap) {
    auto endpoint = resolve_ipv4(host.host, host.port);
    if (!endpoint) return Failure{"--bootstrap: " + endpoint.error()};
    config.bootstrap.push_back(*endpoint);
  }
  if (options.supernode) config.supernode_mode = *parse_supernode_mode(*options.supernode);
  if (!options.lan_address.empty()) {
    auto lan = resolve_ipv4(options.lan_address, 0);
    if (!lan) return Failure{"--lan-address: " + lan.error()};
    config.lan_ip = lan->ip;
  }
  if (!options.bind_address.empty()) {
    auto bind = resolve_ipv4(options.bind_address, 0);
    if (!bind) return Failure{"--bind: " + bind.error()};
    config.bind.ip = bind->ip;
    if (!config.lan_ip) config.lan_ip = bind->ip;
  }
  if (options.supernode_upstream_kbps) config.volunteer_caps.max_upstream_kbps = *options.supernode_upstream_kbps;
  if (options.supernode_max_cpu_percent) config.volunteer_caps.max_cpu_fraction = *options.supernode_max_cpu_percent / 100;
  if (options.supernode_max_clients) config.election.max_clients = *options.supernode_max_clients;
  if (options.election_min_uptime_s) config.election.min_uptime = seconds(*options.election_min_uptime_s);
  if (options.election_reaction_s) config.election.max_reaction_delay = seconds(*options.election_reaction_s);
  if (options.election_min_cpu) config.election.min_cpu_headroom = *options.election_min_cpu;
  config.auto_answer = auto_answer_from(options.auto_answer);
  config.echo_service = options.echo_service;
  config.echo_record = seconds(options.echo_record_s);
  return config;
}

int run_headless(const Profile& profile, const CliOptions& options) {
  const ShutdownSignals signals;  // before Node::start creates the net thread
  auto config = headless_node_config(profile, options);
  if (!config) {
    std::fprintf(stderr, "koe: %s\n", config.error().c_str());
    return kExitFailure;
  }
  AudioDeviceConfig audio;
  audio.input_wav = options.audio_in;
  audio.output_wav = options.audio_out;
  auto device = open_audio_device(audio);
  if (!device) {
    std::fprintf(stderr, "koe: %s\n", device.error().c_str());
    return kExitFailure;
  }
  if (const auto status = (*device)->status(); !status.error.empty())
    std::fprintf(stderr, "koe: %s\n", status.error.c_str());
  VoiceEngineConfig engine;
  // Ring only where someone may hear it (a sound card, or --audio-out's recording).
  if (!(*device)->discards_playback()) {
    if (auto sounds = load_alert_sounds()) {
      engine.alerts = *sounds;
    } else {
      std::fprintf(stderr, "koe: calls will not ring: %s\n", sounds.error().c_str());
    }
  }
  auto shared_device = std::make_shared<std::unique_ptr<AudioDevice>>(std::move(*device));
  config->make_voice_engine = [shared_device, engine](VoiceSendFunction send) {
    return std::make_unique<VoiceEngine>(std::move(*shared_device), engine, std::move(send));
  };

  Node node(std::move(*config));
  if (const std::string error = node.start(); !error.empty()) {
    std::fprintf(stderr, "koe: %s; choose another port with --listen PORT\n", error.c_str());
    return kExitFailure;
  }
  for (const auto& warning : node.warnings()) std::fprintf(stderr, "koe: %s\n", warning.c_str());
  const AppSnapshot started = node.snapshot();
  std::printf("koe: node %s listening on UDP port %u (profile %s)\n", started.user_id.c_str(),
              unsigned{started.listen_port}, started.profile_dir.c_str());
  std::fflush(stdout);

  int status = 0;
  if (!options.call.empty()) {
    status = place_call(node, signals, options);
  } else {
    const auto limit = options.duration_s ? std::optional(seconds(*options.duration_s)) : std::nullopt;
    if (const auto signal_number = run_until_stopped(node, signals, options, limit)) {
      std::printf("koe: stopped on signal %d\n", *signal_number);
    } else {
      std::printf("koe: stopped after %.3g s\n", *options.duration_s);
    }
  }
  const AppSnapshot last = node.snapshot();
  node.stop();
  write_stats(options, last);
  return status;
}

}  // namespace koe
