#include "app/node.hpp"

#include "app/node_cores.hpp"
#include "app/profile.hpp"
#include "net/user_id.hpp"

namespace koe {

NodeConfig node_config_from(const Profile& profile) {
  return NodeConfig{.identity = &profile.identity(),
                    .display_name = profile.settings().display_name,
                    .profile_dir = profile.dir().string(),
                    .bind = Endpoint{0, profile.settings().listen_port}};
}

Node::Node(NodeConfig config) : config_(std::move(config)) {
  snapshot_.user_id = to_user_id(config_.identity->node_id());
  snapshot_.display_name = config_.display_name;
  snapshot_.profile_dir = config_.profile_dir;
  snapshot_.listen_port = config_.bind.port;
}

Node::~Node() { stop(); }

std::string Node::start() {
  auto opened = UdpHost::open(UdpHostConfig{.bind = config_.bind});
  if (auto* error = std::get_if<std::string>(&opened)) {
    AppSnapshot failed = snapshot();
    failed.network = NetworkState::kFailed;
    failed.network_detail = *error;
    publish(failed);
    return *error;
  }
  loop_ = std::make_unique<EventLoop>(std::move(std::get<std::unique_ptr<UdpHost>>(opened)), clock_);
  cores_ = std::make_unique<NodeCores>(*config_.identity, loop_->host(), snapshot(),
                                       [this](const AppSnapshot& s) { publish(s); });
  net_thread_ = std::thread([this] { loop_->run(*cores_); });
  return {};
}

void Node::stop() {
  if (!net_thread_.joinable()) return;
  loop_->stop();
  net_thread_.join();
  AppSnapshot stopped = snapshot();
  stopped.network = NetworkState::kStopped;
  publish(stopped);
  cores_.reset();
  loop_.reset();
}

AppSnapshot Node::snapshot() const {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_;
}

void Node::publish(const AppSnapshot& snapshot) {
  std::lock_guard lock(snapshot_mutex_);
  snapshot_ = snapshot;
}

}  // namespace koe
