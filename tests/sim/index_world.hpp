// IndexWorld: the real Global Index cores (IndexNode supernodes, IndexClient
// users) on one SimNetwork, with per-host access latencies drawn from a
// log-normal distribution, a shared core link with jitter and loss, and hooks
// for the scenario: supernodes join and fail, users come and go, every event the
// cores emit is passed to listeners. Simulation thread only; owns every core,
// socket and timer driver it creates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "index/index_client.hpp"
#include "index/index_node.hpp"
#include "tests/sim/plain_key_signer.hpp"
#include "tests/sim/sim_network.hpp"
#include "tests/sim/sim_socket.hpp"
#include "tests/sim/timeout_driver.hpp"

namespace koe::sim {

struct LinkModel {
  Duration access_median = std::chrono::milliseconds(15);  // one way, host to the core
  double access_sigma = 0.6;                               // log-normal shape
  Duration access_cap = std::chrono::milliseconds(200);
  Duration core_latency = std::chrono::milliseconds(10);   // one way, across the core
  Duration jitter_mean = std::chrono::milliseconds(2);     // normal, per datagram
  double loss = 0.005;                                     // per datagram, independent
};

struct IndexWorldConfig {
  uint64_t seed = 1;
  LinkModel links;
  IndexNodeConfig node;
  IndexClientConfig client;
  size_t bootstrap_seeds = 3;  // live supernodes a joining supernode contacts
  size_t host_cache = 8;       // live supernodes a starting user knows
};

class IndexWorld {
 public:
  using ClientListener = std::function<void(size_t user, const IndexClientEvent&)>;
  using NodeListener = std::function<void(size_t supernode, const LookupCompleted&)>;

  explicit IndexWorld(IndexWorldConfig config);
  ~IndexWorld();
  IndexWorld(const IndexWorld&) = delete;
  IndexWorld& operator=(const IndexWorld&) = delete;

  SimNetwork& net() { return net_; }
  TimePoint now() const { return net_.now(); }

  // A new supernode that bootstraps from a few live ones; returns its index.
  size_t add_supernode();
  // Abrupt failure: the socket closes, the core's state is gone.
  void kill_supernode(size_t index);
  bool supernode_alive(size_t index) const { return supernodes_[index].core != nullptr; }
  size_t supernode_count() const { return supernodes_.size(); }
  std::vector<size_t> live_supernodes() const;
  const IndexNode* supernode(size_t index) const { return supernodes_[index].core.get(); }
  // Graceful leave: the supernode hands its clients over and re-replicates what it holds.
  void begin_handover(size_t index);
  Endpoint supernode_endpoint(size_t index) const { return supernodes_[index].endpoint; }

  // A user with fresh keys and `name`, offline until started; returns its index.
  size_t add_user(std::string name);
  // Online: a client with a host cache of random live supernodes attaches and publishes.
  void start_user(size_t index);
  // Offline: the client and its socket go away (its record expires by itself).
  void stop_user(size_t index);
  bool user_online(size_t index) const { return users_[index].client != nullptr; }
  size_t user_count() const { return users_.size(); }
  IndexClient* client(size_t index) { return users_[index].client.get(); }
  const koe::NodeId& user_id(size_t index) const { return users_[index].id; }
  const std::string& user_name(size_t index) const { return users_[index].name; }
  Endpoint user_endpoint(size_t index) const { return users_[index].endpoint; }
  // The one-way access latency drawn for a user's or supernode's host.
  Duration user_access(size_t index) const { return users_[index].access; }
  Duration supernode_access(size_t index) const { return supernodes_[index].access; }

  // After calling into a client from outside (lookup, search): send what it queued.
  void flush_user(size_t index);

  void set_client_listener(ClientListener listener) { client_listener_ = std::move(listener); }
  void set_node_listener(NodeListener listener) { node_listener_ = std::move(listener); }

  const IndexWorldConfig& config() const { return config_; }

 private:
  struct SupernodeSlot {
    koe::NodeId id;
    Endpoint endpoint;
    Duration access{0};
    std::unique_ptr<SeededRandom> random;
    std::unique_ptr<SimSocket> socket;
    std::unique_ptr<IndexNode> core;
    std::unique_ptr<TimeoutDriver> driver;
  };
  struct UserSlot {
    std::unique_ptr<PlainKeySigner> signer;
    koe::NodeId id;
    std::string name;
    NodeId host = 0;
    Endpoint endpoint;
    Duration access{0};
    std::unique_ptr<SimSocket> socket;
    std::unique_ptr<IndexClient> client;
    std::unique_ptr<TimeoutDriver> driver;
  };

  NodeId add_host(uint32_t ip, Duration& access);
  void flush_supernode(size_t index);

  IndexWorldConfig config_;
  SimNetwork net_;
  SeededRandom random_;        // topology and workload decisions
  SeededRandom user_random_;   // shared by the user cores (txids, keys): one thread, deterministic
  std::vector<SupernodeSlot> supernodes_;
  std::vector<size_t> live_;   // indices of live supernodes
  std::vector<UserSlot> users_;
  uint32_t next_ip_ = Endpoint::make_ip(11, 0, 0, 1);
  ClientListener client_listener_;
  NodeListener node_listener_;
};

// The fixed wall-clock offset of simulated time (virtual time zero is this Unix time).
inline constexpr Duration kSimulatedEpoch = std::chrono::seconds(1'700'000'000);

}  // namespace koe::sim
