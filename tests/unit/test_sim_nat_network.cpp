// NATs inside the simulated network: source rewriting, replies, filtering of unsolicited
// traffic, hole punching between two NATs, hairpinning, nested (carrier-grade) NATs and
// mapping expiry, all observed from the hosts' sockets.
#include <gtest/gtest.h>

#include "tests/sim/sim_network.hpp"
#include "tests/sim/sim_socket.hpp"
#include "tests/sim/traffic_log.hpp"

namespace koe::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr Endpoint kServer{Endpoint::make_ip(198, 51, 100, 1), 3478};
constexpr uint32_t kStranger = Endpoint::make_ip(198, 51, 100, 66);
constexpr uint32_t kNatIpA = Endpoint::make_ip(203, 0, 113, 1);
constexpr uint32_t kNatIpB = Endpoint::make_ip(203, 0, 113, 2);
constexpr uint32_t kPrivateIp = Endpoint::make_ip(192, 168, 1, 10);
constexpr uint32_t kPrivateIp2 = Endpoint::make_ip(192, 168, 1, 11);

Bytes encode_endpoint(const Endpoint& e) {
  return {static_cast<uint8_t>(e.ip >> 24),  static_cast<uint8_t>(e.ip >> 16),
          static_cast<uint8_t>(e.ip >> 8),   static_cast<uint8_t>(e.ip),
          static_cast<uint8_t>(e.port >> 8), static_cast<uint8_t>(e.port)};
}

Endpoint decode_endpoint(ByteView b) {
  EXPECT_EQ(b.size(), 6u);
  if (b.size() != 6) return {};
  return {(uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3],
          static_cast<uint16_t>((b[4] << 8) | b[5])};
}

NatConfig nat_config(uint32_t public_ip, NatBehavior mapping, NatBehavior filtering) {
  NatConfig c;
  c.public_ip = public_ip;
  c.mapping = mapping;
  c.filtering = filtering;
  return c;
}

// A public reflector (like a STUN server: tells each sender its endpoint as seen from
// outside) and a stranger who never heard from anyone.
class World {
 public:
  World() : net(3) {
    LinkParams internet;
    internet.latency = milliseconds(20);
    net.set_realm_link(kInternet, internet);
    server = net.open_socket(net.add_host(kServer.ip), kServer.port);
    server->set_receiver([this](TimePoint, const Endpoint& from, ByteView) {
      server->send(from, encode_endpoint(from));
    });
    stranger = net.open_socket(net.add_host(kStranger), 9999);
  }

  struct Peer {
    std::unique_ptr<SimSocket> socket;
    DatagramLog log;
  };
  // A host at `ip:5000` in `realm`, its socket logged.
  std::unique_ptr<Peer> peer(uint32_t ip, RealmId realm) {
    auto p = std::make_unique<Peer>();
    p->socket = net.open_socket(net.add_host(ip, realm), 5000);
    p->log.attach(*p->socket);
    return p;
  }
  // Asks the reflector, returns the endpoint it saw.
  Endpoint reflexive(Peer& p) {
    const size_t before = p.log.size();
    p.socket->send(kServer, numbered_payload(0));
    EXPECT_TRUE(net.run_until([&] { return p.log.size() > before; }, net.now() + seconds(5)));
    return p.log.size() > before ? decode_endpoint(p.log.arrivals().back().bytes) : Endpoint{};
  }
  uint64_t dropped(DropReason r) const { return net.stats().dropped_for(r); }

  SimNetwork net;
  std::unique_ptr<SimSocket> server, stranger;
};

TEST(SimNatNetwork, ServerSeesTheMappedEndpointAndItsReplyReachesTheHost) {
  World w;
  const auto nat = w.net.add_nat(nat_config(kNatIpA, NatBehavior::kEndpointIndependent,
                                            NatBehavior::kAddressAndPortDependent));
  auto host = w.peer(kPrivateIp, nat.inside);
  const Endpoint seen = w.reflexive(*host);
  EXPECT_EQ(seen.ip, kNatIpA);
  EXPECT_EQ(host->log.arrivals().back().from, kServer);
  EXPECT_EQ(w.net.nat(nat.node).peek_mapping(w.net.now(), {kPrivateIp, 5000}, kServer), seen);

  // The same private address behind another NAT is another host.
  const auto other_nat = w.net.add_nat(nat_config(kNatIpB, NatBehavior::kEndpointIndependent,
                                                  NatBehavior::kAddressAndPortDependent));
  auto twin = w.peer(kPrivateIp, other_nat.inside);
  EXPECT_EQ(w.reflexive(*twin).ip, kNatIpB);
  EXPECT_EQ(host->log.size(), 1u);
}

TEST(SimNatNetwork, UnsolicitedInboundIsFilteredOrHasNoMapping) {
  World w;
  const auto nat = w.net.add_nat(nat_config(kNatIpA, NatBehavior::kEndpointIndependent,
                                            NatBehavior::kAddressAndPortDependent));
  auto host = w.peer(kPrivateIp, nat.inside);
  const Endpoint seen = w.reflexive(*host);
  w.stranger->send(seen, numbered_payload(1));
  w.stranger->send({kNatIpA, static_cast<uint16_t>(seen.port + 1)}, numbered_payload(2));
  w.net.run_for(seconds(1));
  EXPECT_EQ(host->log.size(), 1u);  // only the reflector's answer
  EXPECT_EQ(w.dropped(DropReason::kNatFiltered), 1u);
  EXPECT_EQ(w.dropped(DropReason::kNatNoMapping), 1u);
}

TEST(SimNatNetwork, EndpointIndependentFilteringAdmitsTheStranger) {
  World w;
  const auto nat = w.net.add_nat(
      nat_config(kNatIpA, NatBehavior::kEndpointIndependent, NatBehavior::kEndpointIndependent));
  auto host = w.peer(kPrivateIp, nat.inside);
  const Endpoint seen = w.reflexive(*host);
  w.stranger->send(seen, numbered_payload(1));
  w.net.run_for(seconds(1));
  ASSERT_EQ(host->log.size(), 2u);
  EXPECT_EQ(host->log.arrivals()[1].from, (Endpoint{kStranger, 9999}));
}

// Both peers learn their reflexive endpoints, swap them (out of band) and send three
// punches each, 20 ms apart. Returns how many punches each side received.
std::pair<size_t, size_t> punch(NatBehavior mapping, NatBehavior filtering) {
  World w;
  const auto nat_a = w.net.add_nat(nat_config(kNatIpA, mapping, filtering));
  const auto nat_b = w.net.add_nat(nat_config(kNatIpB, mapping, filtering));
  auto a = w.peer(kPrivateIp, nat_a.inside);
  auto b = w.peer(kPrivateIp, nat_b.inside);
  const Endpoint ea = w.reflexive(*a), eb = w.reflexive(*b);
  a->log.clear();
  b->log.clear();
  for (int i = 0; i < 3; ++i) {
    a->socket->send(eb, numbered_payload(100));
    b->socket->send(ea, numbered_payload(200));
    w.net.run_for(milliseconds(20));
  }
  w.net.run_for(seconds(1));
  return {a->log.size(), b->log.size()};
}

TEST(SimNatNetwork, HolePunchingWorksBetweenEndpointIndependentMappingNats) {
  // Each side's first punch opens its own filter for the peer before the peer's punch
  // arrives (they are sent at the same instant), so every punch gets through.
  const auto [to_a, to_b] =
      punch(NatBehavior::kEndpointIndependent, NatBehavior::kAddressAndPortDependent);
  EXPECT_EQ(to_a, 3u);
  EXPECT_EQ(to_b, 3u);
}

TEST(SimNatNetwork, HolePunchingFailsBetweenSymmetricNats) {
  // APDM gives the peer a different port than the reflector saw: every punch misses.
  const auto [to_a, to_b] =
      punch(NatBehavior::kAddressAndPortDependent, NatBehavior::kAddressAndPortDependent);
  EXPECT_EQ(to_a, 0u);
  EXPECT_EQ(to_b, 0u);
}

TEST(SimNatNetwork, HairpinningDeliversWithTheSendersExternalEndpoint) {
  for (const bool hairpin : {true, false}) {
    World w;
    NatConfig c =
        nat_config(kNatIpA, NatBehavior::kEndpointIndependent, NatBehavior::kEndpointIndependent);
    c.hairpinning = hairpin;
    const auto nat = w.net.add_nat(c);
    auto one = w.peer(kPrivateIp, nat.inside);
    auto two = w.peer(kPrivateIp2, nat.inside);
    const Endpoint e_one = w.reflexive(*one), e_two = w.reflexive(*two);
    one->socket->send(e_two, numbered_payload(5));
    w.net.run_for(seconds(1));
    if (hairpin) {
      ASSERT_EQ(two->log.size(), 2u);
      EXPECT_EQ(two->log.arrivals()[1].from, e_one);
    } else {
      EXPECT_EQ(two->log.size(), 1u);
      EXPECT_EQ(w.dropped(DropReason::kNatHairpinOff), 1u);
    }
  }
}

TEST(SimNatNetwork, HostsOnOneLanReachEachOtherDirectlyOverTheLanLink) {
  World w;
  const auto nat = w.net.add_nat(nat_config(kNatIpA, NatBehavior::kEndpointIndependent,
                                            NatBehavior::kAddressAndPortDependent));
  LinkParams lan;
  lan.latency = milliseconds(1);
  w.net.set_realm_link(nat.inside, lan);
  auto one = w.peer(kPrivateIp, nat.inside);
  auto two = w.peer(kPrivateIp2, nat.inside);
  const TimePoint start = w.net.now();
  one->socket->send({kPrivateIp2, 5000}, numbered_payload(1));
  w.net.run_for(seconds(1));
  ASSERT_EQ(two->log.size(), 1u);
  EXPECT_EQ(two->log.arrivals()[0].from, (Endpoint{kPrivateIp, 5000}));
  EXPECT_EQ(two->log.arrivals()[0].at - start, milliseconds(1));
  EXPECT_EQ(w.net.stats().forwarded, 0u);
  // Through the NAT: LAN to the NAT, then the internet.
  EXPECT_EQ(w.reflexive(*one).ip, kNatIpA);
  EXPECT_EQ(one->log.arrivals().back().at - start - seconds(1), milliseconds(1 + 20 + 20 + 1));
}

TEST(SimNatNetwork, NestedNatsTranslateTwiceAndHairpinAtTheCarrierNat) {
  World w;
  constexpr uint32_t kCgnIp = Endpoint::make_ip(203, 0, 113, 100);
  const auto cgn = w.net.add_nat(
      nat_config(kCgnIp, NatBehavior::kEndpointIndependent, NatBehavior::kEndpointIndependent));
  const auto home1 =
      w.net.add_nat(nat_config(Endpoint::make_ip(100, 64, 0, 2), NatBehavior::kEndpointIndependent,
                               NatBehavior::kEndpointIndependent),
                    cgn.inside);
  const auto home2 =
      w.net.add_nat(nat_config(Endpoint::make_ip(100, 64, 0, 3), NatBehavior::kEndpointIndependent,
                               NatBehavior::kEndpointIndependent),
                    cgn.inside);
  auto one = w.peer(kPrivateIp, home1.inside);
  auto two = w.peer(kPrivateIp, home2.inside);
  const Endpoint e_one = w.reflexive(*one), e_two = w.reflexive(*two);
  EXPECT_EQ(e_one.ip, kCgnIp);
  EXPECT_EQ(e_two.ip, kCgnIp);
  EXPECT_NE(e_one.port, e_two.port);

  // home1 -> CGN (hairpin) -> home2: the receiver sees the sender's outermost endpoint.
  one->socket->send(e_two, numbered_payload(9));
  w.net.run_for(seconds(1));
  ASSERT_EQ(two->log.size(), 2u);
  EXPECT_EQ(two->log.arrivals()[1].from, e_one);
}

TEST(SimNatNetwork, ExpiredMappingDropsTheLateReply) {
  World w;
  NatConfig c =
      nat_config(kNatIpA, NatBehavior::kEndpointIndependent, NatBehavior::kAddressAndPortDependent);
  c.mapping_timeout = seconds(30);
  const auto nat = w.net.add_nat(c);
  auto host = w.peer(kPrivateIp, nat.inside);
  w.server->set_receiver([&](TimePoint now, const Endpoint& from, ByteView) {
    w.net.schedule(now + seconds(31),
                   [&w, from](TimePoint) { w.server->send(from, numbered_payload(1)); });
  });
  host->socket->send(kServer, numbered_payload(0));
  w.net.run_for(seconds(60));
  EXPECT_EQ(host->log.size(), 0u);
  EXPECT_EQ(w.dropped(DropReason::kNatNoMapping), 1u);
}

}  // namespace
}  // namespace koe::sim
