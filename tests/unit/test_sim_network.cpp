// The simulated network's plumbing: delivery, routing errors, sockets, timers,
// link composition, the timeout driver and determinism (same seed, same trace).
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "tests/sim/sim_network.hpp"
#include "tests/sim/sim_socket.hpp"
#include "tests/sim/timeout_driver.hpp"
#include "tests/sim/traffic_log.hpp"

namespace koe::sim {
namespace {

using std::chrono::milliseconds;

constexpr uint32_t kIpA = Endpoint::make_ip(198, 51, 100, 1);
constexpr uint32_t kIpB = Endpoint::make_ip(198, 51, 100, 2);
constexpr TimePoint at_ms(int64_t ms) { return TimePoint{milliseconds(ms)}; }

LinkParams latency_only(Duration d) {
  LinkParams p;
  p.latency = d;
  return p;
}

struct TwoHosts {
  explicit TwoHosts(uint64_t seed = 1) : net(seed) {
    a = net.add_host(kIpA);
    b = net.add_host(kIpB);
    sa = net.open_socket(a, 4000);
    sb = net.open_socket(b, 5000);
    log_a.attach(*sa);
    log_b.attach(*sb);
  }
  SimNetwork net;
  NodeId a, b;
  std::unique_ptr<SimSocket> sa, sb;
  DatagramLog log_a, log_b;
};

TEST(SimNetwork, DeliversPayloadAfterLatencyWithSenderEndpoint) {
  TwoHosts t;
  t.net.set_realm_link(kInternet, latency_only(milliseconds(30)));
  t.sa->send({kIpB, 5000}, numbered_payload(7, 100));
  t.net.run_until(at_ms(29));
  EXPECT_EQ(t.log_b.size(), 0u);
  t.net.run_until(at_ms(1000));
  ASSERT_EQ(t.log_b.size(), 1u);
  EXPECT_EQ(t.log_b.arrivals()[0].at, at_ms(30));
  EXPECT_EQ(t.log_b.arrivals()[0].from, (Endpoint{kIpA, 4000}));
  EXPECT_EQ(t.log_b.arrivals()[0].bytes, numbered_payload(7, 100));
  EXPECT_EQ(t.net.stats().sent, 1u);
  EXPECT_EQ(t.net.stats().delivered, 1u);
  EXPECT_EQ(t.net.now(), at_ms(1000));
}

TEST(SimNetwork, CountsUnroutableAndUnboundDestinations) {
  TwoHosts t;
  t.sa->send({Endpoint::make_ip(203, 0, 113, 9), 5000}, numbered_payload(1));
  t.sa->send({kIpB, 5001}, numbered_payload(2));
  t.sa->send({kIpB, 5000}, Bytes(kMaxUdpPayload + 1, 0));
  t.net.run_until(at_ms(100));
  EXPECT_EQ(t.net.stats().dropped_for(DropReason::kNoRoute), 1u);
  EXPECT_EQ(t.net.stats().dropped_for(DropReason::kPortUnreachable), 1u);
  EXPECT_EQ(t.net.stats().dropped_for(DropReason::kTooLarge), 1u);
  EXPECT_EQ(t.net.stats().delivered, 0u);
  EXPECT_EQ(t.net.stats().total_dropped(), 3u);
  EXPECT_EQ(drop_reason_name(DropReason::kNoRoute), "no_route");
}

TEST(SimNetwork, SocketsBindPortsAndReleaseThemWhenDestroyed) {
  SimNetwork net(1);
  const NodeId h = net.add_host(kIpA);
  auto first = net.open_socket(h);
  auto second = net.open_socket(h);
  EXPECT_EQ(first->local_endpoint(), (Endpoint{kIpA, 49152}));
  EXPECT_EQ(second->local_endpoint(), (Endpoint{kIpA, 49153}));
  auto fixed = net.open_socket(h, 7000);
  EXPECT_THROW(net.open_socket(h, 7000), std::invalid_argument);
  fixed.reset();
  EXPECT_NO_THROW(fixed = net.open_socket(h, 7000));
  EXPECT_THROW(net.add_host(kIpA), std::invalid_argument);
}

TEST(SimNetwork, SocketThatOutlivesItsNetworkIsInert) {
  std::unique_ptr<SimSocket> survivor;
  {
    SimNetwork net(1);
    survivor = net.open_socket(net.add_host(kIpA), 4000);
  }
  survivor->send({kIpB, 5000}, numbered_payload(1));  // must neither crash nor leak
  EXPECT_EQ(survivor->local_endpoint(), (Endpoint{kIpA, 4000}));
  survivor.reset();
}

TEST(SimNetwork, DatagramToADestroyedSocketIsPortUnreachable) {
  TwoHosts t;
  t.net.set_realm_link(kInternet, latency_only(milliseconds(10)));
  t.sa->send({kIpB, 5000}, numbered_payload(1));
  t.sb.reset();
  t.net.run_until(at_ms(50));
  EXPECT_EQ(t.net.stats().dropped_for(DropReason::kPortUnreachable), 1u);
}

TEST(SimNetwork, TimersRunInTimeOrderAndTiesInSchedulingOrder) {
  SimNetwork net(1);
  std::vector<int> order;
  net.schedule(at_ms(20), [&](TimePoint) { order.push_back(3); });
  net.schedule(at_ms(10), [&](TimePoint) { order.push_back(1); });
  net.schedule(at_ms(10), [&](TimePoint) { order.push_back(2); });
  const TimerId cancelled = net.schedule(at_ms(15), [&](TimePoint) { order.push_back(99); });
  net.cancel(cancelled);
  TimePoint seen{};
  net.schedule(at_ms(30), [&](TimePoint now) {
    seen = now;
    net.schedule(at_ms(1), [&](TimePoint) { order.push_back(4); });  // past: runs "now"
  });
  net.run_until(at_ms(100));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4}));
  EXPECT_EQ(seen, at_ms(30));
}

TEST(SimNetwork, CancellingAStaleTimerIdLeavesTheSlotsNewTimerAlone) {
  SimNetwork net(1);
  int fired = 0;
  const TimerId old = net.schedule(at_ms(1), [&](TimePoint) { ++fired; });
  net.run_until(at_ms(2));
  net.schedule(at_ms(3), [&](TimePoint) { ++fired; });  // reuses the freed slot
  net.cancel(old);
  net.run_until(at_ms(4));
  EXPECT_EQ(fired, 2);
}

TEST(SimNetwork, RunUntilPredicateStopsWhenTrueOrAtTheDeadline) {
  TwoHosts t;
  t.net.set_realm_link(kInternet, latency_only(milliseconds(40)));
  t.sa->send({kIpB, 5000}, numbered_payload(1));
  EXPECT_TRUE(t.net.run_until([&] { return t.log_b.size() == 1; }, at_ms(1000)));
  EXPECT_EQ(t.net.now(), at_ms(40));
  EXPECT_FALSE(t.net.run_until([&] { return t.log_a.size() == 1; }, at_ms(500)));
  EXPECT_EQ(t.net.now(), at_ms(500));
}

TEST(SimNetwork, HopCrossesAccessLinksAroundThePathLink) {
  TwoHosts t;
  t.net.set_realm_link(kInternet, latency_only(milliseconds(20)));
  t.net.set_access_link(t.a, latency_only(milliseconds(3)));
  t.net.set_access_link(t.b, latency_only(milliseconds(5)));
  t.sa->send({kIpB, 5000}, numbered_payload(1));
  t.net.run_until(at_ms(100));
  ASSERT_EQ(t.log_b.size(), 1u);
  EXPECT_EQ(t.log_b.arrivals()[0].at, at_ms(28));

  t.net.set_path_link(t.a, t.b, latency_only(milliseconds(50)));  // replaces the realm link
  t.sa->send({kIpB, 5000}, numbered_payload(2));
  t.sb->send({kIpA, 4000}, numbered_payload(3));  // the other direction keeps the default
  t.net.run_until(at_ms(200));
  ASSERT_EQ(t.log_b.size(), 2u);
  EXPECT_EQ(t.log_b.arrivals()[1].at, at_ms(100 + 58));
  ASSERT_EQ(t.log_a.size(), 1u);
  EXPECT_EQ(t.log_a.arrivals()[0].at, at_ms(100 + 28));
}

// A fake sans-IO core: wants a timer every 25 ms until it has fired four times.
struct TickingCore {
  std::vector<TimePoint> fired;
  TimePoint next = at_ms(25);
  TimePoint next_timeout() const { return fired.size() < 4 ? next : kNever; }
  void on_timer(TimePoint now) {
    fired.push_back(now);
    next = now + milliseconds(25);
  }
};

TEST(TimeoutDriver, CallsOnTimerAtEachNextTimeoutUntilNever) {
  SimNetwork net(1);
  TickingCore core;
  TimeoutDriver driver(net, core);
  net.run_until(at_ms(1000));
  EXPECT_EQ(core.fired, (std::vector<TimePoint>{at_ms(25), at_ms(50), at_ms(75), at_ms(100)}));
  EXPECT_EQ(net.pending_events(), 0u);
}

TEST(TimeoutDriver, RearmMovesTheTimerWhenTheCoreChangesItsMind) {
  SimNetwork net(1);
  TickingCore core;
  TimeoutDriver driver(net, core);
  net.run_until(at_ms(10));
  core.next = at_ms(12);
  driver.rearm();
  net.run_until(at_ms(13));
  EXPECT_EQ(core.fired, (std::vector<TimePoint>{at_ms(12)}));
}

// A busy, lossy, jittery exchange among a few hosts; returns the trace hash.
uint64_t chatter_trace_hash(uint64_t seed) {
  SimNetwork net(seed);
  LinkParams link;
  link.latency = milliseconds(20);
  link.jitter = Jitter::normal(milliseconds(5), milliseconds(3));
  link.loss = 0.05;
  link.burst_loss = GilbertElliott{0.02, 0.3, 0.0, 0.8};
  link.duplicate = 0.02;
  link.reorder = 0.05;
  link.reorder_delay = milliseconds(15);
  net.set_realm_link(kInternet, link);
  TraceHasher hasher;
  net.set_trace([&](const TraceEvent& e) { hasher.add(e); });

  constexpr uint64_t kHosts = 8;
  auto address = [](uint64_t i) {
    return Endpoint{Endpoint::make_ip(198, 51, 100, static_cast<uint8_t>(10 + i)), 9000};
  };
  std::vector<std::unique_ptr<SimSocket>> sockets;
  for (uint64_t i = 0; i < kHosts; ++i) {
    sockets.push_back(net.open_socket(net.add_host(address(i).ip), 9000));
    SimSocket* self = sockets.back().get();
    // Even numbers get an answer, so the trace depends on deliveries and their order.
    self->set_receiver([self](TimePoint, const Endpoint& from, ByteView bytes) {
      const uint64_t n = payload_number(bytes).value_or(1);
      if (n % 2 == 0) self->send(from, numbered_payload(n + 1, 40 + n % 50));
    });
  }
  uint64_t ticks = 0;
  std::function<void(TimePoint)> tick = [&](TimePoint now) {
    const uint64_t k = ticks++;
    sockets[k % kHosts]->send(address((k * 3 + 1) % kHosts), numbered_payload(k, 40 + k % 50));
    if (now < at_ms(10'000)) net.schedule(now + milliseconds(1), tick);
  };
  net.schedule(at_ms(0), tick);
  net.run_until(at_ms(600'000));
  EXPECT_GT(hasher.events(), 1000u);
  return hasher.value();
}

TEST(SimNetwork, SameSeedGivesTheSameTraceAndAnotherSeedDoesNot) {
  const uint64_t first = chatter_trace_hash(42);
  EXPECT_EQ(chatter_trace_hash(42), first);
  EXPECT_NE(chatter_trace_hash(43), first);
}

TEST(SimNetwork, DerivedSeedsDependOnStreamAndNetworkSeed) {
  SimNetwork one(1), two(2);
  EXPECT_EQ(one.derive_seed(5), SimNetwork(1).derive_seed(5));
  EXPECT_NE(one.derive_seed(5), one.derive_seed(6));
  EXPECT_NE(one.derive_seed(5), two.derive_seed(5));
}

}  // namespace
}  // namespace koe::sim
