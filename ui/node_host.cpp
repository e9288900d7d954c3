#include "ui/node_host.hpp"

#include "app/host_cache.hpp"
#include "audio/alert_sounds.hpp"
#include "audio/device_null.hpp"
#include "audio/open_audio_device.hpp"
#include "audio/voice_engine.hpp"
#include "net/random.hpp"
#include "net/resolve.hpp"
#include "net/user_id.hpp"

namespace koe::ui {

namespace {

constexpr const char* kEchoProfileDir = "echo-service";
constexpr const char* kEchoName = "Echo Test";
constexpr uint32_t kLoopback = Endpoint::make_ip(127, 0, 0, 1);

// The node founds a local network when it has nobody to join (as NodeCores decides).
bool founds_local_network(const NodeConfig& config) {
  if (config.supernode_mode == SupernodeMode::kDisabled || !config.bootstrap.empty()) return false;
  auto cache = load_host_cache(std::filesystem::path(config.profile_dir) / kHostCacheFileName);
  return !cache || cache->value.size() == 0;
}

std::function<std::unique_ptr<VoiceEngine>(VoiceSendFunction)> voice_engine_factory(AudioDeviceConfig audio,
                                                                                     VoiceEngineConfig engine) {
  return [audio, engine](VoiceSendFunction send) {
    auto device = open_audio_device(audio);
    // A device that cannot be opened is no reason to refuse calls: they go silent.
    std::unique_ptr<AudioDevice> chosen = device ? std::move(*device) : open_null_device(device.error());
    return std::make_unique<VoiceEngine>(std::move(chosen), engine, std::move(send));
  };
}

}  // namespace

NodeHost::~NodeHost() {
  if (pending_.valid()) current_ = pending_.get();
  current_.echo.reset();  // stops it before its supernode goes
  current_.node.reset();
}

void NodeHost::start() {
  collect();
  if (pending_.valid()) return;  // one start at a time
  running_ = profile_.settings();
  NodeConfig config = node_config_from(profile_);
  const DesktopSettings desktop = desktop_settings(running_);
  pending_ = std::async(std::launch::async, [previous = std::move(current_), config = std::move(config), desktop]() mutable {
    return launch(std::move(previous), std::move(config), desktop);
  });
  current_ = Started{};
  echo_id_.clear();
}

NodeHost::Started NodeHost::launch(Started previous, NodeConfig config, const DesktopSettings& desktop) {
  previous.echo.reset();
  previous.node.reset();
  Started out;
  for (const HostPort& host : desktop.bootstrap) {
    auto endpoint = resolve_ipv4(host.host, host.port);
    if (endpoint) {
      config.bootstrap.push_back(*endpoint);
    } else {
      out.warnings.push_back("bootstrap supernode skipped: " + endpoint.error());
    }
  }
  VoiceEngineConfig engine;
  engine.processing.echo_cancellation = desktop.echo_cancellation;
  engine.processing.noise_suppression = desktop.noise_suppression;
  engine.processing.automatic_gain = desktop.automatic_gain;
  if (desktop.play_ringtone) {
    if (auto sounds = load_alert_sounds()) {
      engine.alerts = *sounds;
    } else {
      out.warnings.push_back("calls will not ring: " + sounds.error());
    }
  }
  AudioDeviceConfig audio;
  audio.input_device = desktop.audio_input;
  audio.output_device = desktop.audio_output;
  config.make_voice_engine = voice_engine_factory(std::move(audio), engine);
  const bool local = founds_local_network(config);
  const std::filesystem::path profile_dir = config.profile_dir;
  out.node = std::make_unique<Node>(std::move(config));
  out.error = out.node->start();
  if (!out.error.empty()) return out;
  out.warnings.insert(out.warnings.end(), out.node->warnings().begin(), out.node->warnings().end());
  if (local) start_echo_service(out, profile_dir, out.node->snapshot().listen_port);
  return out;
}

void NodeHost::start_echo_service(Started& out, const std::filesystem::path& profile_dir, uint16_t node_port) {
  SystemRandom random;
  auto profile = Profile::open_or_create(profile_dir / kEchoProfileDir, random);
  if (!profile) {
    out.warnings.push_back("no echo test service: " + profile.error().message());
    return;
  }
  if (profile->settings().display_name != kEchoName) {
    Settings named = profile->settings();
    named.display_name = kEchoName;
    if (auto error = profile->save_settings(named)) out.warnings.push_back("echo test service: " + error->message());
  }
  out.echo_profile = std::make_unique<Profile>(std::move(*profile));
  NodeConfig echo = node_config_from(*out.echo_profile);
  echo.display_name = kEchoName;
  echo.bind = Endpoint{kLoopback, out.echo_profile->settings().listen_port};
  echo.lan_ip = kLoopback;
  echo.bootstrap = {Endpoint{kLoopback, node_port}};
  echo.supernode_mode = SupernodeMode::kDisabled;
  echo.echo_service = true;
  // It returns what it heard: no voice processing, and no sound card of its own.
  VoiceEngineConfig engine;
  engine.processing = VoiceProcessingSwitches{false, false, false, false};
  echo.make_voice_engine = [engine](VoiceSendFunction send) {
    return std::make_unique<VoiceEngine>(open_null_device("the echo test service plays into the call only"), engine,
                                         std::move(send));
  };
  out.echo = std::make_unique<Node>(std::move(echo));
  if (const std::string error = out.echo->start(); !error.empty()) {
    out.warnings.push_back("no echo test service: " + error);
    out.echo.reset();
  }
}

void NodeHost::collect() {
  if (!pending_.valid() || pending_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return;
  current_ = pending_.get();
  if (current_.echo) echo_id_ = to_user_id(current_.echo_profile->identity().node_id());
}

AppSnapshot NodeHost::snapshot() {
  collect();
  AppSnapshot s;
  if (current_.node) {
    s = current_.node->snapshot();
  } else {
    s.user_id = to_user_id(profile_.identity().node_id());
    s.display_name = running_.display_name;
    s.profile_dir = profile_.dir().string();
    s.listen_port = running_.listen_port;
    s.network = pending_.valid() ? NetworkState::kStarting : NetworkState::kFailed;
    s.network_detail = current_.error;
  }
  for (const std::string& warning : current_.warnings) s.log.insert(s.log.begin(), "warning: " + warning);
  return s;
}

void NodeHost::command(NodeCommand command) {
  if (current_.node) current_.node->command(std::move(command));
}

}  // namespace koe::ui
