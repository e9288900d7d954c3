// Test support for the secure-session tests: nodes with deterministic
// identities and a tiny virtual-time network between their SessionManagers, with
// a per-datagram hook to drop, tamper, duplicate, delay or reorder.
// Single-threaded test code; the network owns its nodes.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "net/identity.hpp"
#include "net/random.hpp"
#include "net/session_manager.hpp"

namespace koe::test {

inline Identity identity_from_number(uint8_t n) {
  std::array<uint8_t, kSecretSeedSize> seed{};
  seed.fill(n);
  return Identity::from_seed(seed);
}

inline std::span<const uint8_t, 64> secret_of(const Identity& identity) {
  return identity.secret_key().first<64>();
}

struct TestNode {
  TestNode(uint8_t number, Endpoint at, SessionManagerConfig config)
      : random(number),
        identity(identity_from_number(number)),
        manager(identity.public_key(), secret_of(identity), random, config),
        endpoint(at) {}

  const noise::Key& key() const { return identity.public_key(); }
  size_t count(SessionEvent::Kind kind) const {
    return static_cast<size_t>(std::count_if(
        events.begin(), events.end(), [&](const SessionEvent& e) { return e.kind == kind; }));
  }
  std::vector<Bytes> data() const {
    std::vector<Bytes> out;
    for (const auto& e : events) {
      if (e.kind == SessionEvent::Kind::kData) out.push_back(e.data);
    }
    return out;
  }

  SeededRandom random;
  Identity identity;
  SessionManager manager;
  Endpoint endpoint;  // where this node sends from (tests change it to roam)
  std::vector<SessionEvent> events;
};

// A datagram after the link hook: when it arrives and its (maybe altered) bytes.
struct Arrival {
  Duration delay;
  Bytes bytes;
};

class TestNetwork {
 public:
  // Decides the fate of each datagram; the default delivers it once after 5 ms.
  using Link =
      std::function<std::vector<Arrival>(const Endpoint& from, const OutDatagram& datagram)>;

  static SessionManagerConfig default_config() {
    SessionManagerConfig config;
    config.wall_clock_offset = std::chrono::hours(24 * 365 * 50);  // a fixed "wall clock"
    return config;
  }

  TestNode& add(uint8_t number, Endpoint at, SessionManagerConfig config = default_config()) {
    nodes_.push_back(std::make_unique<TestNode>(number, at, config));
    return *nodes_.back();
  }

  void set_link(Link link) { link_ = std::move(link); }
  TimePoint now() const { return now_; }
  uint64_t datagrams_sent() const { return sent_; }

  // Runs every delivery and timer due up to `until`, then stops there.
  void run_until(TimePoint until) {
    collect();
    for (;;) {
      const TimePoint next = next_event();
      if (next > until) break;
      now_ = std::max(now_, next);
      step();
    }
    now_ = std::max(now_, until);
    collect();
  }
  void run_for(Duration d) { run_until(now_ + d); }

  // Runs until `done()` holds, at most `limit` of virtual time; true if it held.
  bool run_until_true(const std::function<bool()>& done,
                      Duration limit = std::chrono::seconds(60)) {
    const TimePoint deadline = now_ + limit;
    collect();
    while (!done()) {
      const TimePoint next = next_event();
      if (next > deadline) return false;
      now_ = std::max(now_, next);
      step();
    }
    return true;
  }

  // Hands a raw datagram to the node at `to` right now (an attacker's injection).
  void inject(const Endpoint& from, const Endpoint& to, ByteView bytes) {
    if (TestNode* node = node_at(to)) node->manager.on_datagram(now_, from, bytes);
    collect();
  }

 private:
  struct InFlight {
    TimePoint at;
    uint64_t order;
    Endpoint from;
    Endpoint to;
    Bytes bytes;
  };

  TestNode* node_at(const Endpoint& at) {
    for (auto& node : nodes_) {
      if (node->endpoint == at) return node.get();
    }
    return nullptr;
  }

  TimePoint next_event() const {
    TimePoint next = kNever;
    for (const auto& f : in_flight_) next = std::min(next, f.at);
    for (const auto& node : nodes_) next = std::min(next, node->manager.next_timeout());
    return next;
  }

  void step() {
    // Deliveries due now, in (time, send order) order; then timers.
    std::stable_sort(in_flight_.begin(), in_flight_.end(),
                     [](const InFlight& a, const InFlight& b) {
                       return a.at != b.at ? a.at < b.at : a.order < b.order;
                     });
    while (!in_flight_.empty() && in_flight_.front().at <= now_) {
      InFlight f = std::move(in_flight_.front());
      in_flight_.erase(in_flight_.begin());
      if (TestNode* node = node_at(f.to)) node->manager.on_datagram(now_, f.from, f.bytes);
    }
    for (auto& node : nodes_) {
      if (node->manager.next_timeout() <= now_) node->manager.on_timer(now_);
    }
    collect();
  }

  void collect() {
    for (auto& node : nodes_) {
      for (auto& d : node->manager.take_outbox()) {
        ++sent_;
        const auto arrivals =
            link_ ? link_(node->endpoint, d) : std::vector<Arrival>{{kLatency, d.bytes}};
        for (const auto& a : arrivals) {
          in_flight_.push_back(InFlight{now_ + a.delay, order_++, node->endpoint, d.to, a.bytes});
        }
      }
      for (auto& e : node->manager.take_events()) node->events.push_back(std::move(e));
    }
  }

  static constexpr Duration kLatency = std::chrono::milliseconds(5);
  std::vector<std::unique_ptr<TestNode>> nodes_;
  std::vector<InFlight> in_flight_;
  Link link_;
  TimePoint now_{};
  uint64_t order_ = 0;
  uint64_t sent_ = 0;
};

inline Bytes bytes_of(std::initializer_list<uint8_t> list) { return Bytes(list); }

inline Bytes numbered_payload(uint32_t n, size_t size = 80) {
  Bytes out(size, static_cast<uint8_t>(n * 7));
  for (size_t i = 0; i < 4 && i < size; ++i) out[i] = static_cast<uint8_t>(n >> (8 * i));
  return out;
}

inline wire::PacketType type_of(ByteView datagram) {
  return static_cast<wire::PacketType>(datagram.size() > 2 ? datagram[2] : 0);
}

}  // namespace koe::test
