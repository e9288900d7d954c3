// The NAT model alone (RFC 4787): mapping and filtering behaviours, port allocation,
// mapping timeouts and refresh.
#include <gtest/gtest.h>

#include <set>

#include "net/random.hpp"
#include "tests/sim/nat_model.hpp"

namespace koe::sim {
namespace {

using std::chrono::seconds;

constexpr uint32_t kPublicIp = Endpoint::make_ip(203, 0, 113, 1);
constexpr Endpoint kInside{Endpoint::make_ip(192, 168, 1, 10), 5000};
constexpr Endpoint kServer1{Endpoint::make_ip(198, 51, 100, 1), 3478};
constexpr Endpoint kServer1OtherPort{Endpoint::make_ip(198, 51, 100, 1), 3479};
constexpr Endpoint kServer2{Endpoint::make_ip(198, 51, 100, 2), 3478};
constexpr TimePoint kT0{};

NatConfig config(NatBehavior mapping, NatBehavior filtering) {
  NatConfig c;
  c.public_ip = kPublicIp;
  c.mapping = mapping;
  c.filtering = filtering;
  return c;
}

struct Nat {
  explicit Nat(const NatConfig& c, uint64_t seed = 1) : random(seed), model(c, random) {}
  Endpoint out(const Endpoint& internal, const Endpoint& remote, TimePoint now = kT0) {
    const auto r = model.outbound(now, internal, remote);
    EXPECT_TRUE(r.endpoint.has_value());
    return r.endpoint.value_or(Endpoint{});
  }
  SeededRandom random;
  NatModel model;
};

TEST(SimNat, EndpointIndependentMappingReusesThePortForEveryDestination) {
  Nat nat(config(NatBehavior::kEndpointIndependent, NatBehavior::kEndpointIndependent));
  const Endpoint e1 = nat.out(kInside, kServer1);
  EXPECT_EQ(e1.ip, kPublicIp);
  EXPECT_EQ(nat.out(kInside, kServer1OtherPort), e1);
  EXPECT_EQ(nat.out(kInside, kServer2), e1);
  EXPECT_NE(nat.out({kInside.ip, 5001}, kServer1), e1);  // another internal port
}

TEST(SimNat, AddressDependentMappingHasOnePortPerRemoteAddress) {
  Nat nat(config(NatBehavior::kAddressDependent, NatBehavior::kEndpointIndependent));
  const Endpoint e1 = nat.out(kInside, kServer1);
  EXPECT_EQ(nat.out(kInside, kServer1OtherPort), e1);
  EXPECT_NE(nat.out(kInside, kServer2), e1);
}

TEST(SimNat, AddressAndPortDependentMappingHasOnePortPerRemoteEndpoint) {
  Nat nat(config(NatBehavior::kAddressAndPortDependent, NatBehavior::kEndpointIndependent));
  const Endpoint e1 = nat.out(kInside, kServer1);
  const Endpoint e2 = nat.out(kInside, kServer1OtherPort);
  const Endpoint e3 = nat.out(kInside, kServer2);
  EXPECT_EQ(std::set<Endpoint>({e1, e2, e3}).size(), 3u);
  EXPECT_EQ(nat.out(kInside, kServer1), e1);
}

TEST(SimNat, InboundWithoutAMappingIsRefused) {
  Nat nat(config(NatBehavior::kEndpointIndependent, NatBehavior::kEndpointIndependent));
  const auto r = nat.model.inbound(kT0, kServer1, {kPublicIp, 1024});
  EXPECT_FALSE(r.endpoint);
  EXPECT_EQ(r.reason, DropReason::kNatNoMapping);
}

TEST(SimNat, EndpointIndependentFilteringLetsAnyoneInOnceMapped) {
  Nat nat(config(NatBehavior::kEndpointIndependent, NatBehavior::kEndpointIndependent));
  const Endpoint ext = nat.out(kInside, kServer1);
  EXPECT_EQ(nat.model.inbound(kT0, kServer2, ext).endpoint, kInside);
  EXPECT_EQ(nat.model.inbound(kT0, {0x08080808, 53}, ext).endpoint, kInside);
}

TEST(SimNat, AddressDependentFilteringLetsInAnyPortOfAContactedAddress) {
  Nat nat(config(NatBehavior::kEndpointIndependent, NatBehavior::kAddressDependent));
  const Endpoint ext = nat.out(kInside, kServer1);
  EXPECT_EQ(nat.model.inbound(kT0, kServer1OtherPort, ext).endpoint, kInside);
  const auto r = nat.model.inbound(kT0, kServer2, ext);
  EXPECT_FALSE(r.endpoint);
  EXPECT_EQ(r.reason, DropReason::kNatFiltered);
}

TEST(SimNat, AddressAndPortDependentFilteringLetsInOnlyTheContactedEndpoint) {
  Nat nat(config(NatBehavior::kEndpointIndependent, NatBehavior::kAddressAndPortDependent));
  const Endpoint ext = nat.out(kInside, kServer1);
  EXPECT_EQ(nat.model.inbound(kT0, kServer1, ext).endpoint, kInside);
  EXPECT_EQ(nat.model.inbound(kT0, kServer1OtherPort, ext).reason, DropReason::kNatFiltered);
  EXPECT_EQ(nat.model.inbound(kT0, kServer2, ext).reason, DropReason::kNatFiltered);
  nat.out(kInside, kServer2);  // EIM: same mapping, now also open to server 2
  EXPECT_EQ(nat.model.inbound(kT0, kServer2, ext).endpoint, kInside);
}

TEST(SimNat, MappingExpiresAfterTheTimeoutUnlessOutboundTrafficRefreshesIt) {
  NatConfig c = config(NatBehavior::kEndpointIndependent, NatBehavior::kEndpointIndependent);
  c.mapping_timeout = seconds(30);
  Nat nat(c);
  const Endpoint ext = nat.out(kInside, kServer1);
  EXPECT_EQ(nat.model.inbound(kT0 + seconds(29), kServer1, ext).endpoint, kInside);
  EXPECT_EQ(nat.model.inbound(kT0 + seconds(30), kServer1, ext).reason, DropReason::kNatNoMapping);
  EXPECT_EQ(nat.model.live_mappings(kT0 + seconds(30)), 0u);

  const Endpoint again = nat.out(kInside, kServer1, kT0 + seconds(40));
  nat.out(kInside, kServer2, kT0 + seconds(60));  // refresh
  EXPECT_EQ(nat.model.inbound(kT0 + seconds(85), kServer1, again).endpoint, kInside);
  // Inbound traffic does not refresh by default: expiry is still 60 s + 30 s.
  EXPECT_FALSE(nat.model.inbound(kT0 + seconds(90), kServer1, again).endpoint);
}

TEST(SimNat, InboundRefreshKeepsAMappingAliveWhenEnabled) {
  NatConfig c = config(NatBehavior::kEndpointIndependent, NatBehavior::kAddressAndPortDependent);
  c.mapping_timeout = seconds(30);
  c.inbound_refresh = true;
  Nat nat(c);
  const Endpoint ext = nat.out(kInside, kServer1);
  for (int s = 20; s <= 100; s += 20)
    EXPECT_EQ(nat.model.inbound(kT0 + seconds(s), kServer1, ext).endpoint, kInside) << s;
}

TEST(SimNat, FilterPermissionsExpireWithTheirOwnLastOutboundDatagram) {
  NatConfig c = config(NatBehavior::kEndpointIndependent, NatBehavior::kAddressAndPortDependent);
  c.mapping_timeout = seconds(30);
  Nat nat(c);
  const Endpoint ext = nat.out(kInside, kServer1);
  nat.out(kInside, kServer2, kT0 + seconds(20));  // keeps the mapping, not server 1's permit
  EXPECT_EQ(nat.model.inbound(kT0 + seconds(35), kServer2, ext).endpoint, kInside);
  EXPECT_EQ(nat.model.inbound(kT0 + seconds(35), kServer1, ext).reason, DropReason::kNatFiltered);
}

TEST(SimNat, SequentialAllocationHandsOutConsecutivePorts) {
  NatConfig c = config(NatBehavior::kEndpointIndependent, NatBehavior::kEndpointIndependent);
  c.port_min = 40000;
  Nat nat(c);
  for (uint16_t i = 0; i < 5; ++i)
    EXPECT_EQ(nat.out({kInside.ip, static_cast<uint16_t>(6000 + i)}, kServer1).port, 40000 + i);
}

TEST(SimNat, RandomAllocationStaysInRangeAndIsSeeded) {
  NatConfig c = config(NatBehavior::kAddressAndPortDependent, NatBehavior::kEndpointIndependent);
  c.allocation = PortAllocation::kRandom;
  c.port_min = 20000;
  c.port_max = 29999;
  auto ports = [&c](uint64_t seed) {
    Nat nat(c, seed);
    std::vector<uint16_t> out;
    for (uint16_t i = 0; i < 50; ++i)
      out.push_back(nat.out(kInside, {kServer1.ip, static_cast<uint16_t>(1000 + i)}).port);
    return out;
  };
  const auto first = ports(5);
  for (uint16_t p : first) {
    EXPECT_GE(p, 20000);
    EXPECT_LE(p, 29999);
  }
  EXPECT_EQ(std::set<uint16_t>(first.begin(), first.end()).size(), first.size());
  EXPECT_EQ(ports(5), first);
  EXPECT_NE(ports(6), first);
}

TEST(SimNat, PortPreservationKeepsTheInternalPortWhileItIsFree) {
  NatConfig c = config(NatBehavior::kEndpointIndependent, NatBehavior::kEndpointIndependent);
  c.preserve_port = true;
  Nat nat(c);
  EXPECT_EQ(nat.out(kInside, kServer1).port, kInside.port);
  const Endpoint other_host{Endpoint::make_ip(192, 168, 1, 11), kInside.port};
  EXPECT_NE(nat.out(other_host, kServer1).port, kInside.port);
}

TEST(SimNat, ExhaustedPortRangeRefusesNewMappingsUntilOneExpires) {
  NatConfig c = config(NatBehavior::kAddressAndPortDependent, NatBehavior::kEndpointIndependent);
  c.port_min = 30000;
  c.port_max = 30002;
  c.mapping_timeout = seconds(10);
  Nat nat(c);
  for (uint16_t i = 0; i < 3; ++i) nat.out(kInside, {kServer1.ip, static_cast<uint16_t>(1 + i)});
  const auto r = nat.model.outbound(kT0 + seconds(1), kInside, {kServer1.ip, 99});
  EXPECT_FALSE(r.endpoint);
  EXPECT_EQ(r.reason, DropReason::kNatPortsExhausted);
  EXPECT_TRUE(nat.model.outbound(kT0 + seconds(10), kInside, {kServer1.ip, 99}).endpoint);
}

TEST(SimNat, PeekDoesNotCreateMappings) {
  Nat nat(config(NatBehavior::kEndpointIndependent, NatBehavior::kEndpointIndependent));
  EXPECT_FALSE(nat.model.peek_mapping(kT0, kInside, kServer1));
  const Endpoint ext = nat.out(kInside, kServer1);
  EXPECT_EQ(nat.model.peek_mapping(kT0, kInside, kServer2), ext);
  EXPECT_EQ(nat.model.live_mappings(kT0), 1u);
}

}  // namespace
}  // namespace koe::sim
