// NAT discovery on the simulated network: the reflexive endpoint from two supernodes,
// the mapping class for each NAT type, filtering through a partner supernode, sparse
// keepalives that hold a 30 s mapping, a changed mapping noticed, and "UDP blocked".
#include <gtest/gtest.h>

#include "net/filter_probe.hpp"
#include "net/probe.hpp"
#include "tests/unit/nat_sim_world.hpp"

namespace koe::natsim {
namespace {

using sim::NatBehavior;

constexpr uint32_t kNatIp = Endpoint::make_ip(203, 0, 113, 1);
constexpr uint32_t kPrivateIp = Endpoint::make_ip(192, 168, 1, 10);
constexpr uint64_t kSeed = 81;

struct World {
  explicit World(uint64_t seed = kSeed) : net(seed) {
    sim::LinkParams internet;
    internet.latency = 20ms;
    net.set_realm_link(sim::kInternet, internet);
  }
  sim::SimNetwork net;
  Supernode s0{net, kS0, {kS2}, 1};
  Supernode s1{net, kS1, {kS2}, 2};
  Supernode s2{net, kS2, {kS0, kS1}, 3};
};

NatProfile classify_behind(const sim::NatConfig& config, World& w) {
  const auto realm = w.net.add_nat(config).inside;
  Node node(w.net, realm, kPrivateIp, 10);
  EXPECT_TRUE(discover(w.net, node)) << "seed " << kSeed;
  EXPECT_EQ(node.discovery.state(), NatDiscoveryState::kReady);
  EXPECT_EQ(node.discovery.reflexive()->ip, kNatIp);
  return node.discovery.profile();
}

TEST(NatDiscovery, PublicHostHasNoNat) {
  World w;
  Node node(w.net, sim::kInternet, Endpoint::make_ip(198, 51, 100, 77), 10);
  ASSERT_TRUE(discover(w.net, node));
  EXPECT_EQ(node.discovery.profile().mapping, NatMapping::kNone);
  EXPECT_EQ(node.discovery.profile().filtering, NatFiltering::kEndpointIndependent);
  EXPECT_EQ(node.discovery.reflexive(), node.local());
  ASSERT_EQ(node.discovery.candidates().size(), 1u);  // its own address is its public one
}

TEST(NatDiscovery, ConeNatIsEndpointIndependentWithFilteringThatStopsStrangers) {
  World w;
  const auto p = classify_behind(nat(kNatIp, NatBehavior::kEndpointIndependent, NatBehavior::kAddressAndPortDependent), w);
  EXPECT_EQ(p.mapping, NatMapping::kEndpointIndependent);
  EXPECT_EQ(p.filtering, NatFiltering::kDependent);
  EXPECT_FALSE(is_reachable(p));
}

TEST(NatDiscovery, AddressDependentFilteringAlsoStopsTheStranger) {
  World w;
  const auto p = classify_behind(nat(kNatIp, NatBehavior::kEndpointIndependent, NatBehavior::kAddressDependent), w);
  EXPECT_EQ(p.mapping, NatMapping::kEndpointIndependent);
  EXPECT_EQ(p.filtering, NatFiltering::kDependent);
}

TEST(NatDiscovery, FullConeIsReachable) {
  World w;
  const auto p = classify_behind(nat(kNatIp, NatBehavior::kEndpointIndependent, NatBehavior::kEndpointIndependent), w);
  EXPECT_EQ(p.mapping, NatMapping::kEndpointIndependent);
  EXPECT_EQ(p.filtering, NatFiltering::kEndpointIndependent);
  EXPECT_TRUE(is_reachable(p));
}

TEST(NatDiscovery, SymmetricSequentialNatIsPredictable) {
  World w;
  const auto p = classify_behind(nat(kNatIp, NatBehavior::kAddressAndPortDependent, NatBehavior::kAddressAndPortDependent), w);
  EXPECT_EQ(p.mapping, NatMapping::kEndpointDependent);
  EXPECT_EQ(p.allocation, PortAllocation::kSequential);
  EXPECT_EQ(p.port_step, 1);
  EXPECT_TRUE(is_predictable(p));
  // The NAT hands out ports from 1024 up: S0 got 1024, S1 1025; the next is 1026.
  EXPECT_EQ(p.last_port, 1025);
}

TEST(NatDiscovery, AddressDependentMappingIsEndpointDependentToo) {
  World w;
  const auto p = classify_behind(nat(kNatIp, NatBehavior::kAddressDependent, NatBehavior::kAddressDependent), w);
  EXPECT_EQ(p.mapping, NatMapping::kEndpointDependent);
}

TEST(NatDiscovery, SymmetricRandomNatIsNotPredictable) {
  World w;
  const auto p = classify_behind(
      nat(kNatIp, NatBehavior::kAddressAndPortDependent, NatBehavior::kAddressAndPortDependent, sim::PortAllocation::kRandom), w);
  EXPECT_EQ(p.mapping, NatMapping::kEndpointDependent);
  EXPECT_EQ(p.allocation, PortAllocation::kRandom);
  EXPECT_FALSE(is_predictable(p));
}

TEST(NatDiscovery, OneServerGivesAnEndpointButNoClass) {
  World w;
  const auto realm = w.net.add_nat(nat(kNatIp, NatBehavior::kEndpointIndependent, NatBehavior::kAddressAndPortDependent)).inside;
  Node node(w.net, realm, kPrivateIp, 10, {kS0});
  ASSERT_TRUE(discover(w.net, node));
  EXPECT_EQ(node.discovery.state(), NatDiscoveryState::kReady);
  EXPECT_EQ(node.discovery.profile().mapping, NatMapping::kUnknown);
  EXPECT_TRUE(node.discovery.reflexive().has_value());
}

TEST(NatDiscovery, FilteringTestIsInconclusiveWhenThePartnerIsAServerWeProbe) {
  World w;
  w.s0.probes.set_partners({kS1});  // S1 is probed by the node too: its probe proves nothing
  w.s1.probes.set_partners({kS0});
  const auto p = classify_behind(nat(kNatIp, NatBehavior::kEndpointIndependent, NatBehavior::kAddressAndPortDependent), w);
  EXPECT_EQ(p.filtering, NatFiltering::kUnknown);
}

TEST(NatDiscovery, ServerWithoutPartnersLeavesFilteringUnknown) {
  World w;
  w.s0.probes.set_partners({});
  const auto p = classify_behind(nat(kNatIp, NatBehavior::kEndpointIndependent, NatBehavior::kEndpointIndependent), w);
  EXPECT_EQ(p.filtering, NatFiltering::kUnknown);
  EXPECT_GT(w.s0.probes.counters().no_partner, 0u);
}

TEST(NatDiscovery, SurvivesTenPercentLoss) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    World w(seed);
    sim::LinkParams lossy;
    lossy.latency = 20ms;
    lossy.loss = 0.10;
    w.net.set_realm_link(sim::kInternet, lossy);
    const auto realm = w.net.add_nat(nat(kNatIp, NatBehavior::kEndpointIndependent, NatBehavior::kAddressAndPortDependent)).inside;
    Node node(w.net, realm, kPrivateIp, seed);
    ASSERT_TRUE(discover(w.net, node)) << "seed " << seed;
    EXPECT_EQ(node.discovery.profile().mapping, NatMapping::kEndpointIndependent) << "seed " << seed;
  }
}

TEST(NatDiscovery, UdpBlockedIsItsOwnStateWithAOneLineReason) {
  World w;
  const auto gateway = w.net.add_nat(nat(kNatIp, NatBehavior::kEndpointIndependent, NatBehavior::kAddressAndPortDependent));
  sim::LinkParams blocked;
  blocked.loss = 1.0;  // a firewall that drops every UDP datagram
  w.net.set_access_link(gateway.node, blocked);
  Node node(w.net, gateway.inside, kPrivateIp, 10);
  const TimePoint start = w.net.now();
  ASSERT_TRUE(discover(w.net, node));
  EXPECT_EQ(node.discovery.state(), NatDiscoveryState::kUdpBlocked);
  ASSERT_EQ(node.discovery_events.back().kind, NatDiscoveryEvent::Kind::kUdpBlocked);
  const std::string& reason = node.discovery.blocked_reason();
  EXPECT_NE(reason.find("UDP is blocked"), std::string::npos) << reason;
  EXPECT_EQ(reason.find('\n'), std::string::npos);
  EXPECT_LE(w.net.now() - start, 3s) << "the user hears about it within a few seconds";
  EXPECT_FALSE(node.discovery.reflexive().has_value());

  // The firewall opens: the periodic retry finds the NAT.
  w.net.set_access_link(gateway.node, sim::LinkParams{});
  ASSERT_TRUE(w.net.run_until([&] { return node.discovery.state() == NatDiscoveryState::kReady; }, w.net.now() + 60s));
  EXPECT_EQ(node.discovery.profile().mapping, NatMapping::kEndpointIndependent);
}

TEST(NatDiscovery, SparseKeepalivesHoldAThirtySecondMapping) {
  World w;
  auto config = nat(kNatIp, NatBehavior::kEndpointIndependent, NatBehavior::kAddressAndPortDependent);
  config.mapping_timeout = 30s;  // what Linux conntrack gives an unanswered-looking flow
  const auto realm = w.net.add_nat(config).inside;
  Node node(w.net, realm, kPrivateIp, 10);
  ASSERT_TRUE(discover(w.net, node));
  const Endpoint reflexive = *node.discovery.reflexive();
  const uint64_t answered_before = w.s0.probes.counters().probes_answered;
  w.net.run_for(10min);
  // About one probe per 25 s: enough, and not more often than that.
  const uint64_t keepalives = w.s0.probes.counters().probes_answered - answered_before;
  EXPECT_GE(keepalives, 20u);
  EXPECT_LE(keepalives, 26u);
  EXPECT_EQ(node.discovery_events.size(), 1u) << "the mapping never changed, so no new classification";
  EXPECT_EQ(*node.discovery.reflexive(), reflexive);
}

TEST(NatDiscovery, AChangedMappingIsNoticedAtTheNextKeepalive) {
  World w;
  auto config = nat(kNatIp, NatBehavior::kEndpointIndependent, NatBehavior::kAddressAndPortDependent);
  config.mapping_timeout = 20s;  // shorter than our keepalive: the NAT forgets us in between
  const auto realm = w.net.add_nat(config).inside;
  Node node(w.net, realm, kPrivateIp, 10);
  ASSERT_TRUE(discover(w.net, node));
  const Endpoint before = *node.discovery.reflexive();
  ASSERT_TRUE(w.net.run_until([&] { return node.discovery_events.size() >= 2; }, w.net.now() + 60s));
  EXPECT_NE(*node.discovery.reflexive(), before);
  EXPECT_EQ(node.discovery.state(), NatDiscoveryState::kReady);
}

// --- The supernode side -----------------------------------------------------

TEST(NatProbeServer, ForwardsOnlyFromPartnersAndWithoutAmplifying) {
  NatProbeServer server;
  server.set_partners({kS2});
  const Endpoint node{Endpoint::make_ip(203, 0, 113, 9), 4000};
  const Bytes redirect = encode_probe_redirect(ProbeRedirect{42});
  server.on_datagram(TimePoint{}, node, redirect);
  auto out = server.take_outbox();
  ASSERT_EQ(out.size(), 2u);
  size_t to_victim = 0;
  for (const auto& d : out) to_victim += d.to == node ? d.bytes.size() : 0;
  EXPECT_EQ(out[0].to, kS2);
  EXPECT_LE(to_victim + kProbeResponseSize, 2 * redirect.size()) << "ack plus the partner's probe";
  const auto forward = decode_probe_forward(out[0].bytes);
  ASSERT_TRUE(forward);
  EXPECT_EQ(forward->target, node);

  // A forward from a stranger is not answered; one from a partner is, to its target.
  NatProbeServer partner;
  partner.set_partners({kS0});
  partner.on_datagram(TimePoint{}, Endpoint{Endpoint::make_ip(198, 51, 100, 66), 7000}, out[0].bytes);
  EXPECT_TRUE(partner.take_outbox().empty());
  EXPECT_EQ(partner.counters().not_partner, 1u);
  partner.on_datagram(TimePoint{}, kS0, out[0].bytes);
  const auto answer = partner.take_outbox();
  ASSERT_EQ(answer.size(), 1u);
  EXPECT_EQ(answer[0].to, node);
  EXPECT_EQ(decode_probe_response(answer[0].bytes)->nonce, 42u);
}

TEST(NatProbeServer, RateLimitsEachSource) {
  NatProbeServer server;
  const Endpoint node{Endpoint::make_ip(203, 0, 113, 9), 4000};
  for (int i = 0; i < 100; ++i) server.on_datagram(TimePoint{}, node, encode_probe_request(ProbeRequest{uint64_t(i)}));
  EXPECT_EQ(server.counters().probes_answered, 10u);
  EXPECT_EQ(server.counters().rate_limited, 90u);
  server.on_datagram(TimePoint{}, node, Bytes{0x4B, 1, 0x03, 0});
  EXPECT_EQ(server.counters().malformed, 1u);
}

TEST(FilterProbe, CodecsRejectPaddingAndZeroTargets) {
  const Bytes redirect = encode_probe_redirect(ProbeRedirect{7});
  EXPECT_EQ(redirect.size(), kProbeRedirectSize);
  EXPECT_EQ(decode_probe_redirect(redirect)->nonce, 7u);
  Bytes dirty = redirect;
  dirty.back() = 1;
  EXPECT_EQ(decode_probe_redirect(dirty).error(), DecodeError::kBadFieldValue);
  Bytes forward = encode_probe_forward(ProbeForward{7, {1, 2}});
  EXPECT_EQ(forward.size(), kProbeForwardSize);
  forward[kProbeForwardSize - 1] = 0;
  forward[kProbeForwardSize - 2] = 0;
  EXPECT_EQ(decode_probe_forward(forward).error(), DecodeError::kBadFieldValue);
  EXPECT_EQ(decode_probe_forward(Bytes(forward.begin(), forward.end() - 1)).error(), DecodeError::kTruncated);
}

}  // namespace
}  // namespace koe::natsim
