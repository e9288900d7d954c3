// A deterministic discrete-event UDP network: virtual time from zero, one seeded random
// stream, hosts with sockets, links per realm/host/pair, NATs (nestable) and timers.
// Single-threaded: everything, callbacks included, runs inside step()/run_until().
// The network owns hosts, NATs, links and in-flight datagrams; callers own their
// SimSockets (a socket outliving the network is detached and inert).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "net/endpoint.hpp"
#include "net/random.hpp"
#include "tests/sim/event_queue.hpp"
#include "tests/sim/link_model.hpp"
#include "tests/sim/nat_model.hpp"
#include "tests/sim/sim_trace.hpp"

namespace koe::sim {

class SimSocket;

// An address space: the public internet, or the inside of one NAT.
using RealmId = uint32_t;
inline constexpr RealmId kInternet = 0;

struct NatHandle {
  NodeId node;     // the NAT box (its public address lives in the outer realm)
  RealmId inside;  // where its private hosts go
};

struct TimerId {
  uint32_t slot = 0;
  uint32_t generation = 0;
};

// The largest payload a UDP/IPv4 datagram can carry.
inline constexpr size_t kMaxUdpPayload = 65507;

class SimNetwork {
 public:
  explicit SimNetwork(uint64_t seed);
  ~SimNetwork();
  SimNetwork(const SimNetwork&) = delete;
  SimNetwork& operator=(const SimNetwork&) = delete;

  // --- Topology. Addresses are unique within a realm; realms may reuse private ranges.
  // Setup mistakes (duplicate address, unknown id, port in use) throw std::invalid_argument.
  NodeId add_host(uint32_t ip, RealmId realm = kInternet);
  // A NAT whose public address `config.public_ip` lives in `outside` (which may itself
  // be the inside of another NAT: carrier-grade NAT in front of a home NAT).
  NatHandle add_nat(const NatConfig& config, RealmId outside = kInternet);
  // Binds `port` on `host` (0: the next free ephemeral port from 49152).
  std::unique_ptr<SimSocket> open_socket(NodeId host, uint16_t port = 0);

  // --- Links. A hop from node S to node D inside realm R crosses, in order: S's access
  // link (if set and S lives in R), the path link set for (S, D) or else R's default
  // link, then D's access link (if set and D lives in R). Every realm starts with a
  // perfect default link (no delay, no loss, 1472-byte MTU).
  void set_realm_link(RealmId realm, const LinkParams& params);
  void set_access_link(NodeId node, const LinkParams& params);
  void set_path_link(NodeId from, NodeId to, const LinkParams& params);  // one direction

  // --- Time. Callbacks run at their instant; scheduling in the past means "now".
  TimePoint now() const { return now_; }
  Clock& clock() { return clock_; }
  TimerId schedule(TimePoint at, std::function<void(TimePoint)> callback);
  void cancel(TimerId id);  // no effect if it already ran or was cancelled
  // Runs the next event; false when nothing is pending.
  bool step();
  // Runs every event due at or before `until`, then sets now() to `until`.
  void run_until(TimePoint until);
  void run_for(Duration d) { run_until(now_ + d); }
  // Runs events until `done()` holds (checked before each event) or the next event is
  // after `deadline`; returns done(). now() ends at the last event run, or `deadline`
  // when it gave up.
  bool run_until(const std::function<bool()>& done, TimePoint deadline);
  size_t pending_events() const { return queue_.size(); }

  // --- Observation.
  const SimStats& stats() const { return stats_; }
  // The hook observes only: it must not send, bind or change the topology.
  void set_trace(TraceFn trace) { trace_ = std::move(trace); }
  const NatModel& nat(NodeId node) const;
  // A seed for a node's own Random, derived from the network's seed and `stream`.
  uint64_t derive_seed(uint64_t stream) const;

 private:
  friend class SimSocket;

  struct Node {
    uint32_t ip;
    RealmId realm;  // where the node's address lives (a NAT's outer realm)
    std::optional<uint32_t> access_link;
    std::vector<std::pair<uint16_t, SimSocket*>> sockets;  // hosts: few, so a flat list
    uint16_t next_ephemeral = 49152;
    std::unique_ptr<NatModel> nat;  // set for NAT boxes
    RealmId inside = 0;             // NATs only
  };
  struct Realm {
    std::optional<NodeId> gateway;  // the NAT this realm is behind
    uint32_t default_link;
    // Default links keep bursty-loss and queue state per (from, to) pair.
    std::unordered_map<uint64_t, LinkState> pair_state;
  };
  struct Link {
    LinkParams params;
    LinkState state;
  };
  struct InFlight {
    NodeId to;
    RealmId realm;  // the realm the hop crossed
    Endpoint from;
    Endpoint dst;
    Bytes payload;
  };
  struct Timer {
    std::function<void(TimePoint)> callback;
    uint32_t generation = 0;
    bool armed = false;
  };
  class SimClock final : public Clock {
   public:
    explicit SimClock(const SimNetwork& net) : net_(net) {}
    TimePoint now() const override { return net_.now(); }

   private:
    const SimNetwork& net_;
  };

  static uint64_t address_key(RealmId realm, uint32_t ip) { return (uint64_t{realm} << 32) | ip; }
  NodeId add_node(uint32_t ip, RealmId realm);
  const Node& node_at(NodeId id) const;
  // SimSocket's side.
  void bind(NodeId host, uint16_t port, SimSocket* socket);
  void unbind(NodeId host, uint16_t port);
  void send_from(NodeId host, const Endpoint& local, const Endpoint& to, ByteView bytes);
  // Routing and delivery.
  void route(NodeId from, RealmId realm, const Endpoint& src, const Endpoint& dst, Bytes payload);
  void hop(NodeId from, NodeId to, RealmId realm, const Endpoint& src, const Endpoint& dst,
           Bytes payload);
  void arrive(uint32_t slot);
  void arrive_at_nat(NodeId nat_id, RealmId realm, const Endpoint& src, const Endpoint& dst,
                     Bytes payload);
  void drop(NodeId at, const Endpoint& src, const Endpoint& dst, ByteView bytes, DropReason reason);
  void emit(TraceKind kind, NodeId node, const Endpoint& src, const Endpoint& dst, ByteView bytes);
  Bytes take_buffer(ByteView bytes);
  void recycle(Bytes buffer);

  uint64_t seed_;
  SeededRandom random_;
  SimClock clock_{*this};
  TimePoint now_{};
  EventQueue queue_;
  std::vector<Node> nodes_;
  std::vector<Realm> realms_;
  std::vector<Link> links_;
  std::unordered_map<uint64_t, NodeId> addresses_;     // address_key -> node
  std::unordered_map<uint64_t, uint32_t> path_links_;  // (from << 32 | to) -> link
  std::vector<InFlight> in_flight_;
  std::vector<uint32_t> free_in_flight_;
  std::vector<Bytes> spare_buffers_;  // recycled payload storage: no allocation per datagram
  std::vector<Timer> timers_;
  std::vector<uint32_t> free_timers_;
  SimStats stats_;
  TraceFn trace_;
};

}  // namespace koe::sim
