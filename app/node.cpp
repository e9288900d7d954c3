#include "app/node.hpp"

#include "app/contacts.hpp"
#include "app/host_cache.hpp"
#include "app/node_cores.hpp"
#include "app/profile.hpp"
#include "audio/voice_engine.hpp"
#include "net/user_id.hpp"

namespace koe {

namespace {

// Supernodes hold a session with each attached client; ordinary nodes with their
// supernode and the people they talk to.
constexpr size_t kSupernodePeerLimit = 1024;

}  // namespace

NodeConfig node_config_from(const Profile& profile) {
  NodeConfig config;
  config.identity = &profile.identity();
  config.display_name = profile.settings().display_name;
  config.profile_dir = profile.dir().string();
  config.bind = Endpoint{0, profile.settings().listen_port};
  config.supernode_mode = profile.settings().supernode_mode;
  return config;
}

Node::Node(NodeConfig config) : config_(std::move(config)) {
  snapshot_.user_id = to_user_id(config_.identity->node_id());
  snapshot_.display_name = config_.display_name;
  snapshot_.profile_dir = config_.profile_dir;
  snapshot_.listen_port = config_.bind.port;
}

Node::~Node() { stop(); }

namespace {

// Loads what the profile keeps for the node; a corrupt file is set aside with a warning.
NodeFiles load_files(const std::string& profile_dir, std::vector<std::string>& warnings) {
  NodeFiles files;
  if (profile_dir.empty()) return files;
  const std::filesystem::path dir(profile_dir);
  if (auto contacts = load_contacts(dir / kContactsFileName)) {
    files.contacts = std::move(contacts->value);
    if (contacts->warning) warnings.push_back(*contacts->warning);
  } else {
    warnings.push_back(contacts.error().message());
  }
  if (auto cache = load_host_cache(dir / kHostCacheFileName)) {
    files.host_cache = std::move(cache->value);
    if (cache->warning) warnings.push_back(*cache->warning);
  } else {
    warnings.push_back(cache.error().message());
  }
  return files;
}

}  // namespace

std::string Node::start() {
  auto opened = UdpHost::open(UdpHostConfig{.bind = config_.bind, .peer_limit = kSupernodePeerLimit});
  if (auto* error = std::get_if<std::string>(&opened)) {
    AppSnapshot failed = snapshot();
    failed.network = NetworkState::kFailed;
    failed.network_detail = *error;
    publish(failed);
    return *error;
  }
  loop_ = std::make_unique<EventLoop>(std::move(std::get<std::unique_ptr<UdpHost>>(opened)), clock_);
  if (config_.make_voice_engine) {
    // The media thread hands each payload to the net thread, which seals and sends it.
    voice_ = config_.make_voice_engine([this](uint64_t call, Bytes payload) {
      loop_->post([this, call, payload = std::move(payload)] { cores_->send_voice(call, payload); });
    });
  }
  AppSnapshot initial = snapshot();
  initial.listen_port = loop_->host().local_endpoint().port;
  cores_ = std::make_unique<NodeCores>(config_, load_files(config_.profile_dir, warnings_), clock_, loop_->host(),
                                       voice_.get(), initial, [this](const AppSnapshot& s) { publish(s); });
  if (voice_ && !voice_->start()) warnings_.push_back("the audio device did not start; calls will be silent");
  net_thread_ = std::thread([this] { loop_->run(*cores_); });
  return {};
}

void Node::stop() {
  if (!net_thread_.joinable()) return;
  if (voice_) voice_->stop();  // no more payloads posted to the loop
  // Commands run in order, and the loop flushes what they sent before it exits.
  loop_->post([this] {
    cores_->sign_out();
    loop_->stop();
  });
  net_thread_.join();
  AppSnapshot stopped = snapshot();
  stopped.network = NetworkState::kStopped;
  publish(stopped);
  cores_.reset();
  voice_.reset();
  loop_.reset();
}

void Node::command(NodeCommand command) {
  if (!net_thread_.joinable()) return;
  loop_->post([this, command = std::move(command)] { cores_->handle(command); });
}

AppSnapshot Node::snapshot() const {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_;
}

AppSnapshot Node::wait_until(const std::function<bool(const AppSnapshot&)>& done, Duration timeout) const {
  std::unique_lock lock(snapshot_mutex_);
  snapshot_changed_.wait_for(lock, timeout, [&] { return done(snapshot_); });
  return snapshot_;
}

void Node::publish(const AppSnapshot& snapshot) {
  {
    std::lock_guard lock(snapshot_mutex_);
    snapshot_ = snapshot;
  }
  snapshot_changed_.notify_all();
}

}  // namespace koe
