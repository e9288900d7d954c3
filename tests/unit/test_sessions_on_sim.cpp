// Secure sessions on the deterministic simulated network: handshake and data
// under loss, duplication, reordering and jitter; repeated rekeys under
// continuous traffic lose nothing; a roaming peer keeps its session.
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "net/identity.hpp"
#include "net/random.hpp"
#include "net/session_manager.hpp"
#include "tests/sim/sim_network.hpp"
#include "tests/sim/sim_socket.hpp"
#include "tests/sim/timeout_driver.hpp"

namespace koe {
namespace {

using namespace std::chrono_literals;

noise::Key key_of(const Identity& identity) {
  noise::Key k{};
  std::copy(identity.public_key().begin(), identity.public_key().end(), k.begin());
  return k;
}

// One node: a SessionManager wired to a simulated socket, its timers driven in virtual time.
struct SimNode {
  SimNode(sim::SimNetwork& net, uint32_t ip, uint64_t seed, SessionManagerConfig config)
      : random(seed),
        identity(Identity::generate(random)),
        sessions(key_of(identity), std::span<const uint8_t, 64>(identity.secret_key().data(), 64), random,
                 config),
        driver(net, [this] { return sessions.next_timeout(); },
               [this](TimePoint now) {
                 sessions.on_timer(now);
                 flush();
               }) {
    move_to(net, ip);
  }
  // Binds a new socket at `ip` and sends from it from now on (roaming).
  void move_to(sim::SimNetwork& net, uint32_t ip) {
    socket = net.open_socket(net.add_host(ip), 40000);
    socket->set_receiver([this](TimePoint now, const Endpoint& from, ByteView bytes) {
      sessions.on_datagram(now, from, bytes);
      flush();
    });
  }
  void flush() {
    for (const auto& out : sessions.take_outbox()) socket->send(out.to, out.bytes);
    for (auto& event : sessions.take_events()) {
      if (event.kind == SessionEvent::Kind::kData) received.push_back(std::move(event.data));
      if (event.kind == SessionEvent::Kind::kRekeyed) ++rekeys;
    }
    driver.rearm();
  }
  Endpoint endpoint() const { return socket->local_endpoint(); }

  SeededRandom random;
  Identity identity;
  SessionManager sessions;
  sim::TimeoutDriver driver;
  std::unique_ptr<sim::SimSocket> socket;
  std::vector<Bytes> received;
  int rekeys = 0;
};

Bytes numbered(uint32_t i) { return Bytes{uint8_t(i >> 24), uint8_t(i >> 16), uint8_t(i >> 8), uint8_t(i)}; }

sim::LinkParams rough_link(double loss) {
  sim::LinkParams link;
  link.latency = 25ms;
  link.jitter = sim::Jitter::uniform(10ms);
  link.loss = loss;
  link.duplicate = 0.03;
  link.reorder = 0.05;
  link.reorder_delay = 30ms;
  return link;
}

// Sends `count` numbered messages from a to b, one every 10 ms of virtual time.
void stream(sim::SimNetwork& net, SimNode& a, SimNode& b, uint32_t count) {
  for (uint32_t i = 0; i < count; ++i) {
    ASSERT_TRUE(a.sessions.send(net.now(), key_of(b.identity), numbered(i)));
    a.flush();
    net.run_for(10ms);
  }
  net.run_for(2s);  // drain what is in flight
}

TEST(SessionsOnSim, HandshakeAndDataSurviveLossDuplicationAndReordering) {
  sim::SimNetwork net(2026);
  net.set_realm_link(sim::kInternet, rough_link(0.05));
  SimNode a(net, Endpoint::make_ip(198, 51, 100, 1), 1, {});
  SimNode b(net, Endpoint::make_ip(203, 0, 113, 1), 2, {});
  ASSERT_TRUE(a.sessions.connect(net.now(), key_of(b.identity), b.endpoint()));
  a.flush();
  ASSERT_TRUE(net.run_until([&] { return a.sessions.established(key_of(b.identity)); }, net.now() + 30s))
      << "seed 2026";
  stream(net, a, b, 2000);
  std::map<Bytes, int> seen;
  for (const auto& m : b.received) ++seen[m];
  for (const auto& [m, n] : seen) EXPECT_EQ(n, 1) << "a duplicate was delivered";
  // 5% loss: about 1,900 arrive; bounds are generous (binomial sd ~ 10).
  EXPECT_GT(b.received.size(), 1800u);
  EXPECT_LT(b.received.size(), 1990u);
  EXPECT_GT(b.sessions.drops()[DropReason::kReplay], 0u);  // duplicates were caught after the tag
}

TEST(SessionsOnSim, RekeysUnderContinuousTrafficLoseNothing) {
  sim::SimNetwork net(7);
  net.set_realm_link(sim::kInternet, rough_link(0.0));
  SessionManagerConfig config;
  config.limits.rekey_after_time = 2s;
  config.limits.responder_rekey_delay = 200ms;
  SimNode a(net, Endpoint::make_ip(198, 51, 100, 2), 3, config);
  SimNode b(net, Endpoint::make_ip(203, 0, 113, 2), 4, config);
  ASSERT_TRUE(a.sessions.connect(net.now(), key_of(b.identity), b.endpoint()));
  a.flush();
  ASSERT_TRUE(net.run_until([&] { return a.sessions.established(key_of(b.identity)); }, net.now() + 30s));
  stream(net, a, b, 1500);  // 15 s of traffic: several rekeys
  EXPECT_GE(a.rekeys + b.rekeys, 4) << "seed 7";
  std::map<Bytes, int> seen;
  for (const auto& m : b.received) ++seen[m];
  EXPECT_EQ(seen.size(), 1500u) << "every message arrived exactly once across the rekeys";
  EXPECT_EQ(b.sessions.drops()[DropReason::kBadMac], 0u);
  EXPECT_EQ(b.sessions.drops()[DropReason::kExpiredKey], 0u);
}

TEST(SessionsOnSim, RoamingPeerKeepsItsSession) {
  sim::SimNetwork net(11);
  net.set_realm_link(sim::kInternet, rough_link(0.0));
  SimNode a(net, Endpoint::make_ip(198, 51, 100, 3), 5, {});
  SimNode b(net, Endpoint::make_ip(203, 0, 113, 3), 6, {});
  const noise::Key ka = key_of(a.identity), kb = key_of(b.identity);
  ASSERT_TRUE(a.sessions.connect(net.now(), kb, b.endpoint()));
  a.flush();
  ASSERT_TRUE(net.run_until([&] { return a.sessions.established(kb); }, net.now() + 30s));
  stream(net, a, b, 10);
  ASSERT_EQ(b.sessions.peer_endpoint(ka), a.endpoint());

  a.move_to(net, Endpoint::make_ip(198, 51, 100, 99));  // new address, same keys
  stream(net, a, b, 10);
  EXPECT_EQ(b.sessions.peer_endpoint(ka), a.endpoint()) << "b follows the authenticated packets";
  ASSERT_TRUE(b.sessions.send(net.now(), ka, numbered(4242)));
  b.flush();
  net.run_for(1s);
  ASSERT_FALSE(a.received.empty());
  EXPECT_EQ(a.received.back(), numbered(4242));
}

}  // namespace
}  // namespace koe
