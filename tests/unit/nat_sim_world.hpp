// Test support for the NAT traversal and relay tests: supernodes (probe server and
// relay) and nodes (discovery, hole punching, relay client, call path and a secure
// session on top) wired to the deterministic simulated network, plus a call helper
// that plays the signalling a node would do through its supernode.
// Simulation thread only; the world owns its supernodes and nodes.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "net/route_selector.hpp"
#include "net/hole_punch.hpp"
#include "net/identity.hpp"
#include "net/nat_discovery.hpp"
#include "net/nat_probe_server.hpp"
#include "net/random.hpp"
#include "net/relay_client.hpp"
#include "net/relay_server.hpp"
#include "net/session_manager.hpp"
#include "tests/sim/sim_network.hpp"
#include "tests/sim/sim_socket.hpp"
#include "tests/sim/timeout_driver.hpp"
#include "tests/sim/traffic_log.hpp"

namespace koe::natsim {

using namespace std::chrono_literals;

inline constexpr Endpoint kS0{Endpoint::make_ip(198, 51, 100, 1), 7000};
inline constexpr Endpoint kS1{Endpoint::make_ip(198, 51, 100, 2), 7000};
// S2 is the filtering test's partner: nodes never probe it.
inline constexpr Endpoint kS2{Endpoint::make_ip(203, 0, 113, 200), 7000};

inline noise::Key key_of(const Identity& identity) {
  noise::Key k{};
  std::copy(identity.public_key().begin(), identity.public_key().end(), k.begin());
  return k;
}

inline sim::NatConfig nat(uint32_t public_ip, sim::NatBehavior mapping, sim::NatBehavior filtering,
                          sim::PortAllocation allocation = sim::PortAllocation::kSequential) {
  sim::NatConfig c;
  c.public_ip = public_ip;
  c.mapping = mapping;
  c.filtering = filtering;
  c.allocation = allocation;
  return c;
}

// A supernode: answers probes (and filtering tests) and relays, on one socket.
struct Supernode {
  Supernode(sim::SimNetwork& net, Endpoint at, std::vector<Endpoint> partners, uint64_t seed,
            RelayServerConfig relay_config = {})
      : random(seed),
        endpoint(at),
        relay(random, at, relay_config),
        host(net.add_host(at.ip)),
        socket(net.open_socket(host, at.port)),
        driver(net, relay) {
    probes.set_partners(std::move(partners));
    socket->set_receiver([this](TimePoint now, const Endpoint& from, ByteView bytes) {
      const auto header = wire::decode_header(bytes);
      if (!header) return;
      if (NatProbeServer::owns(header->type)) probes.on_datagram(now, from, bytes);
      if (RelayServer::owns(header->type)) relay.on_datagram(now, from, bytes);
      flush();
    });
  }
  void flush() {
    if (!socket) return;
    for (const auto& d : probes.take_outbox()) socket->send(d.to, d.bytes);
    for (const auto& d : relay.take_outbox()) socket->send(d.to, d.bytes);
    driver.rearm();
  }
  // The process dies: its port stops answering.
  void kill() { socket.reset(); }

  SeededRandom random;
  Endpoint endpoint;
  NatProbeServer probes;
  RelayServer relay;
  sim::NodeId host;
  std::unique_ptr<sim::SimSocket> socket;
  sim::TimeoutDriver driver;
};

// Birthday punching's spray sockets on the simulated network, as a node opens them
// (SpraySockets in the real one), numbered from 1. Closed sockets stay bound but deaf
// until the world ends: a receiver may close its own set, which the simulator forbids
// destroying from inside it.
class SimSpray {
 public:
  using Receiver = std::function<void(TimePoint now, uint16_t socket, const Endpoint& from, ByteView bytes)>;
  SimSpray(sim::SimNetwork& net, sim::NodeId host) : net_(net), host_(host) {}

  uint32_t open(uint32_t count, const Receiver& receiver) {
    close();
    for (uint32_t k = 1; k <= count; ++k) {
      Socket s{net_.open_socket(host_), std::make_shared<bool>(true)};
      s.socket->set_receiver([alive = s.alive, receiver, k](TimePoint now, const Endpoint& from, ByteView bytes) {
        if (*alive) receiver(now, static_cast<uint16_t>(k), from, bytes);
      });
      open_.push_back(std::move(s));
    }
    return count;
  }
  // Only `socket` keeps working (it carries the link now).
  void keep_only(uint16_t socket) {
    for (size_t i = 0; i < open_.size(); ++i)
      if (i + 1 != socket) retire(open_[i]);
  }
  void close() {
    for (Socket& s : open_) retire(s);
    open_.clear();
  }
  void send(uint16_t socket, const Endpoint& to, ByteView bytes) {
    if (socket >= 1 && socket <= open_.size() && open_[socket - 1].socket) open_[socket - 1].socket->send(to, bytes);
  }

 private:
  struct Socket {
    std::unique_ptr<sim::SimSocket> socket;
    std::shared_ptr<bool> alive;
  };
  void retire(Socket& s) {
    if (!s.socket) return;
    *s.alive = false;
    retired_.push_back(std::move(s.socket));
  }

  sim::SimNetwork& net_;
  sim::NodeId host_;
  std::vector<Socket> open_;
  std::vector<std::unique_ptr<sim::SimSocket>> retired_;
};

inline NatDiscoveryConfig discovery_config(std::vector<Endpoint> servers, Endpoint local) {
  NatDiscoveryConfig c;
  c.servers = std::move(servers);
  c.local_addresses = {local};
  return c;
}

// A node with every NAT-traversal core and a secure session manager on one socket.
struct Node {
  Node(sim::SimNetwork& network, sim::RealmId realm, uint32_t ip, uint64_t seed,
       std::vector<Endpoint> servers = {kS0, kS1})
      : net(network),
        random(seed),
        identity(Identity::generate(random)),
        host(net.add_host(ip, realm)),
        socket(net.open_socket(host, 5000)),
        spray(net, host),
        discovery(random, discovery_config(std::move(servers), socket->local_endpoint())),
        relays(identity, random, relay_client_config()),
        sessions(key_of(identity), std::span<const uint8_t, 64>(identity.secret_key().data(), 64), random,
                 session_config()),
        driver(
            net, [this] { return next_timeout(); }, [this](TimePoint now) { on_timer(now); }) {
    socket->set_receiver([this](TimePoint now, const Endpoint& from, ByteView bytes) { receive(now, from, bytes); });
  }

  // Every process of the world shares one wall clock, fifty years after the epoch.
  static constexpr Duration kWallClock = std::chrono::hours(24 * 365 * 50);
  static SessionManagerConfig session_config() {
    SessionManagerConfig c;
    c.wall_clock_offset = kWallClock;
    return c;
  }
  static RelayClientConfig relay_client_config() {
    RelayClientConfig c;
    c.wall_clock_offset = kWallClock;
    return c;
  }

  PunchOffer offer() {
    PunchOffer o;
    random.fill(o.secret);
    o.nat = discovery.profile();
    o.candidates = discovery.candidates();
    return o;
  }

  void receive(TimePoint now, const Endpoint& from, ByteView bytes) {
    const auto header = wire::decode_header(bytes);
    if (!header) return;
    switch (header->type) {
      case wire::PacketType::kProbeResponse: discovery.on_datagram(now, from, bytes); break;
      case wire::PacketType::kPunchProbe:
      case wire::PacketType::kPunchAck:
        if (punch) punch->on_datagram(now, from, bytes);
        break;
      case wire::PacketType::kRelayControl:
      case wire::PacketType::kRelayFrame: relays.on_datagram(now, from, bytes); break;
      default:
        ++direct_datagrams;
        sessions.on_datagram(now, from, bytes);
    }
    flush(now);
  }

  void on_timer(TimePoint now) {
    if (discovery.next_timeout() <= now) discovery.on_timer(now);
    if (punch && punch->next_timeout() <= now) punch->on_timer(now);
    if (relays.next_timeout() <= now) relays.on_timer(now);
    if (sessions.next_timeout() <= now) sessions.on_timer(now);
    flush(now);
  }
  TimePoint next_timeout() const {
    TimePoint t = std::min({discovery.next_timeout(), relays.next_timeout(), sessions.next_timeout()});
    return punch ? std::min(t, punch->next_timeout()) : t;
  }

  // Moves outputs to the network and events to their consumers, until quiet.
  void flush(TimePoint now) {
    for (int round = 0; round < 4; ++round) {
      for (const auto& d : discovery.take_outbox()) socket->send(d.to, d.bytes);
      for (auto& e : discovery.take_events()) discovery_events.push_back(std::move(e));
      if (punch) {
        if (punch->spray_generation() != spray_generation) {
          spray_generation = punch->spray_generation();
          const uint32_t opened = spray.open(punch->plan().spray_sockets, [this](TimePoint at, uint16_t k, const Endpoint& from, ByteView bytes) {
            punch->on_datagram(at, from, bytes, k);
            flush(at);
          });
          punch->set_spray_sockets(spray_generation, opened);
        }
        for (const auto& d : punch->take_outbox()) socket->send(d.to, d.bytes);
        for (const auto& d : punch->take_spray_outbox()) spray.send(d.socket, d.to, d.bytes);
        for (const auto& e : punch->take_events()) {
          punch_events.push_back({now, e});
          if (e.result && e.result->socket != kSharedSocket) {
            // Through a spray socket: the node's tunnel would carry the session there
            // (test_traversal); this world's session route stays as it was.
            spray.keep_only(e.result->socket);
            continue;
          }
          path.on_punch_event(e);
        }
      }
      for (auto& e : relays.take_events()) {
        if (e.kind == RelayClientEvent::Kind::kData) {
          ++relayed_datagrams;
          sessions.on_datagram(now, *relays.relay_of(e.handle), e.payload);
        } else {
          relay_events.push_back(std::move(e));
        }
      }
      if (path.update(now, relays)) route_log.push_back({now, path.route()});
      for (auto& d : sessions.take_outbox()) send_on_route(d.bytes);
      for (auto& e : sessions.take_events()) {
        if (e.kind == SessionEvent::Kind::kData) {
          if (const auto n = sim::payload_number(e.data)) received.push_back(*n);
        }
      }
      for (const auto& d : relays.take_outbox()) socket->send(d.to, d.bytes);
    }
    driver.rearm();
  }

  // The session's datagrams go wherever the call path says, whatever their address.
  void send_on_route(ByteView bytes) {
    const CallRoute& r = path.route();
    if (r.kind == CallRoute::Kind::kDirect) socket->send(r.direct, bytes);
    if (r.kind == CallRoute::Kind::kRelay) relays.send(r.relay, bytes);
  }

  Endpoint local() const { return socket->local_endpoint(); }
  std::optional<TimePoint> first_route_at() const {
    for (const auto& [at, r] : route_log) {
      if (r.kind != CallRoute::Kind::kNone) return at;
    }
    return std::nullopt;
  }

  sim::SimNetwork& net;
  SeededRandom random;
  Identity identity;
  sim::NodeId host;
  std::unique_ptr<sim::SimSocket> socket;
  SimSpray spray;
  uint32_t spray_generation = 0;
  NatDiscovery discovery;
  RelayClient relays;
  SessionManager sessions;
  std::unique_ptr<HolePunch> punch;
  RouteSelector path;
  sim::TimeoutDriver driver;

  std::vector<NatDiscoveryEvent> discovery_events;
  std::vector<std::pair<TimePoint, HolePunchEvent>> punch_events;
  std::vector<RelayClientEvent> relay_events;
  std::vector<std::pair<TimePoint, CallRoute>> route_log;
  std::vector<uint64_t> received;  // numbers of the voice payloads that arrived
  uint64_t direct_datagrams = 0;
  uint64_t relayed_datagrams = 0;
};

// Runs discovery on a node until it has a result (bounded in virtual time).
inline bool discover(sim::SimNetwork& net, Node& node) {
  node.discovery.start(net.now());
  node.flush(net.now());
  return net.run_until([&] { return !node.discovery_events.empty(); }, net.now() + 10s);
}

// Swaps fresh offers between two nodes (as their supernodes would carry them) and starts
// both punches at once. Returns false if the keys cannot be derived.
inline bool start_punch(sim::SimNetwork& net, Node& a, Node& b, HolePunchConfig config = {}) {
  const PunchOffer offer_a = a.offer(), offer_b = b.offer();
  const auto keys_a = derive_punch_keys(offer_a.secret, offer_b.secret);
  const auto keys_b = derive_punch_keys(offer_b.secret, offer_a.secret);
  if (!keys_a || !keys_b) return false;
  a.punch = std::make_unique<HolePunch>(a.random, *keys_a, offer_a, offer_b, config);
  b.punch = std::make_unique<HolePunch>(b.random, *keys_b, offer_b, offer_a, config);
  a.punch->start(net.now());
  b.punch->start(net.now());
  a.flush(net.now());
  b.flush(net.now());
  return true;
}

// The caller allocates on its best two relays (ranked by RTT) and hands the tickets to
// the callee, which joins them; both keep them in that order (primary, standby).
inline bool setup_relays(sim::SimNetwork& net, Node& caller, Node& callee, const std::vector<Endpoint>& relays) {
  caller.relays.measure(net.now(), relays);
  caller.flush(net.now());
  if (!net.run_until([&] { return !caller.relays.measuring(); }, net.now() + 5s)) return false;
  const auto ranked = caller.relays.ranked();
  if (ranked.size() < 2) return false;
  std::array<RelayHandle, 2> own{};
  for (size_t i = 0; i < 2; ++i) own[i] = caller.relays.allocate(net.now(), ranked[i].relay);
  caller.flush(net.now());
  const auto allocated = [&](RelayHandle h) {
    return std::any_of(caller.relay_events.begin(), caller.relay_events.end(), [&](const RelayClientEvent& e) {
      return e.handle == h && e.kind == RelayClientEvent::Kind::kAllocated;
    });
  };
  if (!net.run_until([&] { return allocated(own[0]) && allocated(own[1]); }, net.now() + 5s)) return false;
  for (const RelayHandle h : own) {
    caller.path.add_relay(h);
    for (const auto& e : caller.relay_events) {
      if (e.handle == h && e.peer_ticket) callee.path.add_relay(callee.relays.join(net.now(), *e.peer_ticket));
    }
  }
  callee.flush(net.now());
  return net.run_until(
      [&] { return callee.relays.usable(callee.path.relays()[0]) && callee.relays.usable(callee.path.relays()[1]); },
      net.now() + 5s);
}

// Sends one numbered voice payload each way every 20 ms for `duration`, once each
// side's session has a route (sends before that are queued by the session).
inline void talk(sim::SimNetwork& net, Node& a, Node& b, uint64_t& seq, Duration duration) {
  const TimePoint end = net.now() + duration;
  while (net.now() < end) {
    ++seq;
    a.sessions.send(net.now(), key_of(b.identity), sim::numbered_payload(seq, 80));
    b.sessions.send(net.now(), key_of(a.identity), sim::numbered_payload(seq, 80));
    a.flush(net.now());
    b.flush(net.now());
    net.run_for(20ms);
  }
}

// The longest run of consecutive payload numbers in [first, last] that never arrived.
inline uint64_t longest_gap(std::vector<uint64_t> got, uint64_t first, uint64_t last) {
  std::sort(got.begin(), got.end());
  got.erase(std::unique(got.begin(), got.end()), got.end());
  uint64_t longest = 0, expected = first;
  for (const uint64_t n : got) {
    if (n < first || n > last) continue;
    longest = std::max(longest, n - expected);
    expected = n + 1;
  }
  return std::max(longest, last + 1 - expected);
}

}  // namespace koe::natsim
