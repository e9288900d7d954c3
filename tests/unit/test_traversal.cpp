// Traversal, the node's NAT traversal core, on the simulated network: two nodes behind
// NATs exchange sealed introductions (carried here as their supernode would) and connect
// directly when the NATs allow it, through a relay when they do not; introductions that
// are forged, replayed to another node or malformed are refused and counted.
#include "app/traversal.hpp"

#include <gtest/gtest.h>

#include <deque>

#include "tests/unit/nat_sim_world.hpp"

namespace koe::natsim {
namespace {

using sim::NatBehavior;
constexpr Duration kWallClock = std::chrono::hours(24 * 365 * 50);
constexpr Endpoint kTunnel{Endpoint::make_ip(127, 0, 0, 1), 9999};  // stands in for a LoopbackTunnel
const NodeId kSupernodeId{{0x5E}};

// One node's Traversal on a simulated socket; what it asks of the node is recorded.
struct TraversalNode {
  TraversalNode(sim::SimNetwork& network, sim::RealmId realm, Endpoint lan, uint64_t seed)
      : random(seed),
        identity(Identity::generate(random)),
        host(network.add_host(lan.ip, realm)),
        socket(network.open_socket(host, lan.port)),
        spray(network, host),
        traversal(identity, random,
                  TraversalConfig{.self = lan, .local_addresses = {lan}, .wall_clock_offset = kWallClock}),
        driver(
            network, [this] { return traversal.next_timeout(); },
            [this](TimePoint now) {
              traversal.on_timer(now);
              flush(now);
            }) {
    socket->set_receiver([this](TimePoint now, const Endpoint& from, ByteView bytes) {
      const auto header = wire::decode_header(bytes);
      if (header && Traversal::owns(header->type)) traversal.on_datagram(now, from, bytes);
      else received.emplace_back(from, Bytes(bytes.begin(), bytes.end()));
      flush(now);
    });
  }

  void apply(TimePoint now, const TraversalSpray& s) {
    switch (s.action) {
      case TraversalSpray::Action::kOpen: {
        const uint32_t opened = spray.open(std::min(s.count, spray_limit), [this, key = s.key](TimePoint at, uint16_t k, const Endpoint& from, ByteView bytes) {
          traversal.on_spray_datagram(at, key, k, from, bytes);
          flush(at);
        });
        traversal.on_spray_opened(now, s.key, s.generation, opened);
        break;
      }
      case TraversalSpray::Action::kKeep: spray.keep_only(s.socket); break;
      case TraversalSpray::Action::kClose: spray.close(); break;
    }
  }

  void flush(TimePoint now) {
    for (int round = 0; round < 3; ++round) {
      for (const auto& d : traversal.take_outbox()) socket->send(d.to, d.bytes);
      for (auto& i : traversal.take_introduces()) introduces.push_back(std::move(i));
      for (const auto& c : traversal.take_connects()) connects.push_back(c);
      for (const auto& t : traversal.take_tunnels()) {
        if (!t.open) continue;
        ++tunnels_opened;
        traversal.on_tunnel_opened(now, t.key, kTunnel);
      }
      for (auto& d : traversal.take_deliveries()) delivered.push_back(std::move(d.datagram));
      for (const auto& sp : traversal.take_sprays()) apply(now, sp);
      for (const auto& d : traversal.take_spray_sends()) spray.send(d.socket, d.to, d.bytes);
    }
    driver.rearm();
  }

  PresenceRecord record() const {
    PresenceRecord r;
    r.id = identity.node_id();
    r.public_key = identity.public_key();
    r.supernodes = {SupernodeRef{kSupernodeId, kS0, std::nullopt}};
    return r;
  }
  std::optional<TraversalConnect> connect_to(const Endpoint& where) const {
    for (const auto& c : connects)
      if (c.endpoint == where) return c;
    return std::nullopt;
  }

  SeededRandom random;
  Identity identity;
  sim::NodeId host;
  std::unique_ptr<sim::SimSocket> socket;
  SimSpray spray;
  Traversal traversal;
  sim::TimeoutDriver driver;
  std::deque<TraversalIntroduce> introduces;
  std::vector<TraversalConnect> connects;
  std::vector<Bytes> delivered;
  std::vector<std::pair<Endpoint, Bytes>> received;  // on the shared socket, not Traversal's
  uint32_t spray_limit = 256;  // spray sockets the "process" can open (0: none, as if out of descriptors)
  int tunnels_opened = 0;
};

struct TraversalWorld : ::testing::Test {
  void build(const sim::NatConfig& a, const sim::NatConfig& b) {
    sim::LinkParams internet;
    internet.latency = 20ms;
    net.set_realm_link(sim::kInternet, internet);
    alice = std::make_unique<TraversalNode>(net, net.add_nat(a).inside, Endpoint{Endpoint::make_ip(192, 168, 1, 10), 5000}, 11);
    bob = std::make_unique<TraversalNode>(net, net.add_nat(b).inside, Endpoint{Endpoint::make_ip(192, 168, 2, 10), 5000}, 12);
    for (TraversalNode* n : {alice.get(), bob.get()}) {
      n->traversal.set_supernodes(net.now(), {kS0, kS1});
      n->flush(net.now());
    }
    ASSERT_TRUE(net.run_until(
        [&] {
          return alice->traversal.discovery()->state() == NatDiscoveryState::kReady &&
                 bob->traversal.discovery()->state() == NatDiscoveryState::kReady;
        },
        net.now() + 10s));
  }
  // Plays the supernode: passes each introduction on to its target, one hop later.
  void carry() {
    for (TraversalNode* from : {alice.get(), bob.get()}) {
      TraversalNode* to = from == alice.get() ? bob.get() : alice.get();
      while (!from->introduces.empty()) {
        const TraversalIntroduce intro = std::move(from->introduces.front());
        from->introduces.pop_front();
        EXPECT_EQ(intro.supernode, kSupernodeId);
        EXPECT_EQ(intro.target, to->identity.node_id());
        to->traversal.on_introduction(net.now(), intro.supernode, intro.sealed);
        to->flush(net.now());
      }
    }
  }
  bool run_until(const std::function<bool()>& done, Duration bound) {
    return net.run_until(
        [&] {
          carry();
          return done();
        },
        net.now() + bound);
  }
  static sim::NatConfig cone(uint32_t ip) {
    return nat(ip, NatBehavior::kEndpointIndependent, NatBehavior::kAddressAndPortDependent);
  }
  static sim::NatConfig symmetric(uint32_t ip) {
    return nat(ip, NatBehavior::kAddressAndPortDependent, NatBehavior::kAddressAndPortDependent,
               sim::PortAllocation::kRandom);
  }

  sim::SimNetwork net{2026};
  static RelayServerConfig relay_config() {
    RelayServerConfig c;
    c.wall_clock_offset = kWallClock;  // the nodes' clock: allocations carry Unix times
    return c;
  }
  Supernode s0{net, kS0, {kS2}, 1, relay_config()};
  Supernode s1{net, kS1, {kS2}, 2, relay_config()};
  Supernode s2{net, kS2, {kS0, kS1}, 3, relay_config()};
  std::unique_ptr<TraversalNode> alice, bob;
};

TEST_F(TraversalWorld, ConeNatsConnectDirectlyWithinASecond) {
  build(cone(Endpoint::make_ip(203, 0, 113, 1)), cone(Endpoint::make_ip(203, 0, 113, 2)));
  const TimePoint start = net.now();
  alice->traversal.reach(net.now(), bob->record());
  alice->flush(net.now());
  ASSERT_TRUE(run_until([&] { return !alice->connects.empty(); }, 5s));
  EXPECT_LE(net.now() - start, 1s);
  // The caller connects to the callee's public mapping, on the shared socket; the callee
  // waits for that handshake (two crossing would race).
  EXPECT_EQ(alice->connects.front().endpoint.ip, Endpoint::make_ip(203, 0, 113, 2));
  EXPECT_FALSE(alice->connects.front().move);
  net.run_for(2s);
  EXPECT_TRUE(bob->connects.empty());
  EXPECT_EQ(alice->tunnels_opened, 0);
  EXPECT_TRUE(alice->traversal.has_path(bob->identity.public_key()));
  // The link comes up on that path: the attempt is finished.
  alice->traversal.on_link_up(net.now(), bob->identity.public_key(), alice->connects.front().endpoint);
  EXPECT_EQ(alice->traversal.path(bob->identity.public_key()), TraversalPath::kNone);
  EXPECT_EQ(alice->traversal.counters().punched, 1u);
}

TEST_F(TraversalWorld, ALostOfferIsSentAgain) {
  build(cone(Endpoint::make_ip(203, 0, 113, 1)), cone(Endpoint::make_ip(203, 0, 113, 2)));
  alice->traversal.reach(net.now(), bob->record());
  alice->flush(net.now());
  ASSERT_EQ(alice->introduces.size(), 1u);
  alice->introduces.clear();  // the supernode had no link with bob yet
  ASSERT_TRUE(run_until([&] { return !alice->connects.empty(); }, 5s));
  EXPECT_EQ(alice->connects.front().endpoint.ip, Endpoint::make_ip(203, 0, 113, 2));
}

TEST_F(TraversalWorld, UnansweredOffersLookThePeerUpAgainAndFollowItsNewSupernode) {
  build(cone(Endpoint::make_ip(203, 0, 113, 1)), cone(Endpoint::make_ip(203, 0, 113, 2)));
  alice->traversal.reach(net.now(), bob->record());
  alice->flush(net.now());
  // Bob's old supernode drops every introduction: after a few offers alice asks for a
  // fresh record.
  ASSERT_TRUE(net.run_until(
      [&] {
        alice->introduces.clear();
        return !alice->traversal.take_lookups().empty();
      },
      net.now() + 10s));
  PresenceRecord moved = bob->record();
  const NodeId new_supernode{{0x77}};
  moved.supernodes = {SupernodeRef{new_supernode, kS1, std::nullopt}};
  alice->traversal.reach(net.now(), moved);
  alice->flush(net.now());
  ASSERT_FALSE(alice->introduces.empty());
  EXPECT_EQ(alice->introduces.back().supernode, new_supernode);
}

TEST_F(TraversalWorld, SymmetricNatsConnectThroughARelayAndCarryTraffic) {
  build(symmetric(Endpoint::make_ip(203, 0, 113, 1)), symmetric(Endpoint::make_ip(203, 0, 113, 2)));
  const TimePoint start = net.now();
  alice->traversal.reach(net.now(), bob->record());
  alice->flush(net.now());
  ASSERT_TRUE(run_until([&] { return alice->connect_to(kTunnel) && bob->tunnels_opened == 1; }, 10s));
  EXPECT_LE(net.now() - start, 2s);
  EXPECT_EQ(alice->tunnels_opened, 1);
  EXPECT_EQ(bob->tunnels_opened, 1);

  const PublicKey a = alice->identity.public_key(), b = bob->identity.public_key();
  alice->traversal.on_link_up(net.now(), b, kTunnel);
  bob->traversal.on_link_up(net.now(), a, kTunnel);
  EXPECT_EQ(alice->traversal.path(b), TraversalPath::kRelay);
  ASSERT_TRUE(alice->traversal.relay_of(b).has_value());

  const Bytes hello{'h', 'e', 'l', 'l', 'o'}, back{'b', 'a', 'c', 'k'};
  alice->traversal.send_through_tunnel(b, hello);
  alice->flush(net.now());
  bob->traversal.send_through_tunnel(a, back);
  bob->flush(net.now());
  ASSERT_TRUE(run_until([&] { return !bob->delivered.empty() && !alice->delivered.empty(); }, 2s));
  EXPECT_EQ(bob->delivered.front(), hello);
  EXPECT_EQ(alice->delivered.front(), back);

  // The link goes down: the relay sessions are released and the tunnel is closed.
  alice->traversal.on_link_down(b);
  EXPECT_EQ(alice->traversal.path(b), TraversalPath::kNone);
}

// Random symmetric (alice) vs port-restricted cone (bob): birthday punching. Alice's
// link goes through her tunnel and out of the spray socket that punched through;
// bob's is plain direct to that socket's mapping. Starting on a relay when the first
// second finds nothing is the same path as SymmetricNatsConnectThroughARelay….
TEST_F(TraversalWorld, BirthdayPunchingCarriesTheLinkOnTheSpraySocketThatHit) {
  build(symmetric(Endpoint::make_ip(203, 0, 113, 1)), cone(Endpoint::make_ip(203, 0, 113, 2)));
  const PublicKey b = bob->identity.public_key();
  alice->traversal.reach(net.now(), bob->record());
  alice->flush(net.now());
  ASSERT_TRUE(run_until([&] { return alice->traversal.counters().birthday_punched == 1; }, 30s));
  ASSERT_TRUE(run_until([&] { return alice->connect_to(kTunnel).has_value(); }, 1s))
      << "the caller's session goes into the tunnel";
  EXPECT_EQ(alice->traversal.path(b), TraversalPath::kPunching);
  alice->traversal.on_link_up(net.now(), b, kTunnel);
  // (Had the relay been asked for before the hit, the egress would move only once bob
  // is heard: AHitWhileTheRelayedLinkComesUp….)
  alice->traversal.on_peer_message(net.now(), b);
  alice->flush(net.now());
  EXPECT_EQ(alice->traversal.path(b), TraversalPath::kDirect);
  EXPECT_TRUE(alice->traversal.carried_by_spray_socket(b));
  EXPECT_TRUE(alice->traversal.has_path(b));

  const Bytes hello{'h', 'e', 'l', 'l', 'o'}, back{'b', 'a', 'c', 'k'};
  alice->traversal.send_through_tunnel(b, hello);
  alice->flush(net.now());
  ASSERT_TRUE(run_until([&] { return !bob->received.empty(); }, 1s));
  const auto [from, bytes] = bob->received.front();
  EXPECT_EQ(bytes, hello);
  EXPECT_EQ(from.ip, Endpoint::make_ip(203, 0, 113, 1));
  EXPECT_NE(from.port, alice->traversal.discovery()->candidates().back().endpoint.port)
      << "not the shared socket's mapping";
  bob->socket->send(from, back);
  ASSERT_TRUE(run_until([&] { return !alice->delivered.empty(); }, 1s));
  EXPECT_EQ(alice->delivered.front(), back);

  // A stranger's datagram on the carrying socket is dropped, not delivered.
  const uint64_t dropped = alice->traversal.counters().spray_dropped;
  alice->traversal.on_spray_datagram(net.now(), b, 1, Endpoint{Endpoint::make_ip(198, 51, 100, 9), 4000}, back);
  EXPECT_EQ(alice->traversal.counters().spray_dropped, dropped + 1);
  EXPECT_EQ(alice->delivered.size(), 1u);

  alice->traversal.on_link_down(b);
  EXPECT_EQ(alice->traversal.path(b), TraversalPath::kNone);
}

// The call starts on the relay (the first attempt could open no spray socket); a later
// background attempt hits. Alice's session keeps its tunnel endpoint but is told to
// move, so an authenticated keepalive goes out of the spray socket and Bob's session
// (and ENet) follow; Bob moves onto the hit mapping as for any punched path.
TEST_F(TraversalWorld, ARelayedCallMovesOntoTheSpraySocketThatHitLater) {
  build(symmetric(Endpoint::make_ip(203, 0, 113, 1)), cone(Endpoint::make_ip(203, 0, 113, 2)));
  const PublicKey a = alice->identity.public_key(), b = bob->identity.public_key();
  alice->spray_limit = 0;
  alice->traversal.reach(net.now(), bob->record());
  alice->flush(net.now());
  ASSERT_TRUE(run_until([&] { return alice->connect_to(kTunnel) && bob->tunnels_opened == 1; }, 10s));
  alice->traversal.on_link_up(net.now(), b, kTunnel);
  bob->traversal.on_link_up(net.now(), a, kTunnel);
  alice->traversal.on_peer_message(net.now(), b);  // the call goes on over the relay
  ASSERT_EQ(alice->traversal.path(b), TraversalPath::kRelay);
  alice->spray_limit = 256;
  ASSERT_TRUE(run_until([&] { return alice->traversal.counters().birthday_punched == 1; }, 60s));
  ASSERT_TRUE(run_until([&] { return bob->traversal.counters().moved_to_direct == 1; }, 1s));
  const TraversalConnect moved = alice->connects.back();
  EXPECT_EQ(moved.key, b);
  EXPECT_EQ(moved.endpoint, kTunnel) << "the session stays on the tunnel; its egress changed";
  EXPECT_TRUE(moved.move);
  EXPECT_EQ(alice->traversal.path(b), TraversalPath::kDirect);
  EXPECT_TRUE(alice->traversal.carried_by_spray_socket(b));
  EXPECT_EQ(alice->traversal.counters().moved_to_direct, 1u);
  EXPECT_TRUE(bob->connects.back().move);
  EXPECT_EQ(bob->connects.back().endpoint.ip, Endpoint::make_ip(203, 0, 113, 1));
  // The relay lingers for what is in flight, then goes; the spray socket stays.
  net.run_for(5s);
  EXPECT_FALSE(alice->traversal.relay_of(b).has_value());
  EXPECT_TRUE(alice->traversal.carried_by_spray_socket(b));
}

// A hit while the link is still coming up through the relay: the egress stays on the
// relay (switching then lost calls in the lab) until the peer is heard over the link,
// then moves; or, if the relay never brings the link up, switches after 3 s with a
// fresh handshake.
void hit_while_the_relayed_link_comes_up(TraversalWorld& w, bool relay_comes_up) {
  w.build(TraversalWorld::symmetric(Endpoint::make_ip(203, 0, 113, 1)),
          TraversalWorld::cone(Endpoint::make_ip(203, 0, 113, 2)));
  TraversalNode& alice = *w.alice;
  const PublicKey b = w.bob->identity.public_key();
  alice.spray_limit = 0;
  alice.traversal.reach(w.net.now(), w.bob->record());
  alice.flush(w.net.now());
  ASSERT_TRUE(w.run_until([&] { return alice.connect_to(kTunnel).has_value(); }, 10s));
  alice.spray_limit = 256;
  ASSERT_TRUE(w.run_until([&] { return alice.traversal.counters().birthday_punched == 1; }, 60s));
  const size_t connects = alice.connects.size();
  EXPECT_FALSE(alice.traversal.carried_by_spray_socket(b)) << "deferred";
  const TimePoint hit = w.net.now();
  if (relay_comes_up) {
    w.net.run_for(1s);
    alice.traversal.on_link_up(w.net.now(), b, kTunnel);
    alice.flush(w.net.now());
    EXPECT_FALSE(alice.traversal.carried_by_spray_socket(b)) << "our side is up, the peer's maybe not yet";
    w.net.run_for(5s);
    EXPECT_FALSE(alice.traversal.carried_by_spray_socket(b)) << "the relay works for us: no deadline";
    alice.traversal.on_peer_message(w.net.now(), b);
    alice.flush(w.net.now());
    EXPECT_TRUE(alice.traversal.carried_by_spray_socket(b));
    ASSERT_EQ(alice.connects.size(), connects + 1);
    EXPECT_TRUE(alice.connects.back().move);
    EXPECT_EQ(alice.traversal.counters().moved_to_direct, 1u);
    // Bob's punch had worked before his side of the link came up through the relay:
    // he moves onto the punched mapping at once.
    TraversalNode& bob = *w.bob;
    bob.traversal.on_link_up(w.net.now(), alice.identity.public_key(), kTunnel);
    bob.flush(w.net.now());
    EXPECT_EQ(bob.traversal.counters().moved_to_direct, 1u);
    ASSERT_FALSE(bob.connects.empty());
    EXPECT_TRUE(bob.connects.back().move);
    EXPECT_EQ(bob.connects.back().endpoint.ip, Endpoint::make_ip(203, 0, 113, 1));
  } else {
    ASSERT_TRUE(w.run_until([&] { return alice.traversal.carried_by_spray_socket(b); }, 5s));
    EXPECT_GE(w.net.now() - hit, 3s);
    ASSERT_EQ(alice.connects.size(), connects + 1);
    EXPECT_FALSE(alice.connects.back().move) << "a fresh handshake on the new path";
    EXPECT_EQ(alice.connects.back().endpoint, kTunnel);
  }
}

TEST_F(TraversalWorld, AHitWhileTheRelayedLinkComesUpMovesOnceThePeerIsHeard) { hit_while_the_relayed_link_comes_up(*this, true); }

TEST_F(TraversalWorld, AHitWhileTheRelayedLinkComesUpTakesOverAfterThreeSeconds) {
  hit_while_the_relayed_link_comes_up(*this, false);
}

TEST_F(TraversalWorld, LostRelayTicketsAreSentAgain) {
  build(symmetric(Endpoint::make_ip(203, 0, 113, 1)), symmetric(Endpoint::make_ip(203, 0, 113, 2)));
  alice->traversal.reach(net.now(), bob->record());
  alice->flush(net.now());
  ASSERT_EQ(alice->introduces.size(), 1u);
  carry();  // the punch offer goes through
  const TimePoint lose_until = net.now() + 2500ms;
  size_t lost = 0;
  // Every later introduction from alice (the relay tickets, allocated once punching
  // failed) is lost for 2.5 s, as on a supernode link that fails meanwhile.
  ASSERT_TRUE(net.run_until(
      [&] {
        if (net.now() < lose_until) {
          lost += alice->introduces.size();
          alice->introduces.clear();
        }
        carry();
        return bob->tunnels_opened == 1;
      },
      net.now() + 10s));
  EXPECT_GE(lost, 1u);
  EXPECT_GE(net.now(), lose_until);
}

TEST_F(TraversalWorld, IntroductionsNotSealedForUsOrGarbledAreRefused) {
  build(cone(Endpoint::make_ip(203, 0, 113, 1)), cone(Endpoint::make_ip(203, 0, 113, 2)));
  alice->traversal.reach(net.now(), bob->record());
  alice->flush(net.now());
  ASSERT_EQ(alice->introduces.size(), 1u);
  Bytes sealed = alice->introduces.front().sealed;
  alice->introduces.clear();
  // Meant for bob: alice herself (or anyone else) cannot open it.
  alice->traversal.on_introduction(net.now(), kSupernodeId, sealed);
  sealed[sealed.size() / 2] ^= 1;
  bob->traversal.on_introduction(net.now(), kSupernodeId, sealed);
  bob->traversal.on_introduction(net.now(), kSupernodeId, Bytes(3, 0));
  EXPECT_EQ(alice->traversal.counters().introductions_refused, 1u);
  EXPECT_EQ(bob->traversal.counters().introductions_refused, 2u);
  EXPECT_EQ(bob->traversal.path(alice->identity.public_key()), TraversalPath::kNone);
}

TEST(Traversal, DescribesTheNatInOneLine) {
  NatProfile p;
  p.mapping = NatMapping::kEndpointIndependent;
  p.filtering = NatFiltering::kDependent;
  EXPECT_EQ(nat_class_of(p), NatClass::kPortRestricted);
  const std::string line = describe_nat(p, Endpoint{Endpoint::make_ip(203, 0, 113, 7), 40000});
  EXPECT_NE(line.find("203.0.113.7:40000"), std::string::npos) << line;
  p.mapping = NatMapping::kNone;
  EXPECT_EQ(nat_class_of(p), NatClass::kOpen);
  p.mapping = NatMapping::kEndpointDependent;
  EXPECT_EQ(nat_class_of(p), NatClass::kSymmetric);
}

}  // namespace
}  // namespace koe::natsim
