// Secure sessions and ENet links between two real nodes on loopback (UDP
// sockets, ENet hosts and event loops driven from this thread): both sides
// authenticated, both-sides-connect tie-break, sealed control and voice
// channels, hostile input dropped and counted.
#include "net/secure_transport.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "net/event_loop.hpp"
#include "net/random.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/udp_test_socket.hpp"

namespace koe {
namespace {

using namespace std::chrono_literals;

noise::Key key_of(const Identity& identity) {
  noise::Key k{};
  std::copy(identity.public_key().begin(), identity.public_key().end(), k.begin());
  return k;
}

struct TestNode final : LoopHandler {
  explicit TestNode(uint64_t seed)
      : random(seed), identity(Identity::generate(random)) {
    auto opened = UdpHost::open({.bind = {Endpoint::make_ip(127, 0, 0, 1), test::free_udp_port()}});
    loop = std::make_unique<EventLoop>(std::move(std::get<std::unique_ptr<UdpHost>>(opened)), clock);
    transport = std::make_unique<SecureTransport>(identity, loop->host(), loop->host().enet(), random);
  }
  void on_datagram(TimePoint now, const Endpoint& from, ByteView bytes) override {
    transport->on_datagram(now, from, bytes);
    collect();
  }
  void on_enet_event(TimePoint now, const ENetEvent& event) override {
    transport->on_enet_event(now, event);
    collect();
  }
  void on_timer(TimePoint now) override {
    transport->on_timer(now);
    collect();
  }
  TimePoint next_timeout() const override { return transport->next_timeout(); }
  void collect() {
    for (auto& e : transport->take_events()) events.push_back(std::move(e));
  }
  Endpoint endpoint() const { return loop->host().local_endpoint(); }
  noise::Key key() const { return key_of(identity); }
  size_t messages_on(LinkChannel channel) const {
    return static_cast<size_t>(std::count_if(events.begin(), events.end(), [&](const LinkEvent& e) {
      return e.kind == LinkEvent::Kind::kMessage && e.channel == channel;
    }));
  }

  SteadyClock clock;
  SeededRandom random;
  Identity identity;
  std::unique_ptr<EventLoop> loop;
  std::unique_ptr<SecureTransport> transport;
  std::vector<LinkEvent> events;
};

// Pumps both nodes until `done` holds (bounded).
bool pump(TestNode& a, TestNode& b, const std::function<bool()>& done, std::chrono::seconds limit = 20s) {
  return test::ChildProcess::wait_for(
      [&] {
        a.loop->run_once(a, 2);
        b.loop->run_once(b, 2);
        return done();
      },
      limit);
}

TEST(SecureTransport, HandshakeThenSealedControlAndVoice) {
  TestNode a(1), b(2);
  ASSERT_TRUE(a.transport->connect(a.clock.now(), b.key(), b.endpoint()));
  ASSERT_TRUE(pump(a, b, [&] { return a.transport->is_up(b.key()) && b.transport->is_up(a.key()); }));
  EXPECT_TRUE(a.transport->sessions().established(b.key()));
  EXPECT_TRUE(b.transport->sessions().established(a.key()));

  const Bytes hello{'h', 'i'};
  ASSERT_TRUE(a.transport->send(a.clock.now(), b.key(), LinkChannel::kControl, hello));
  for (int i = 0; i < 20; ++i) {
    const Bytes voice(80, static_cast<uint8_t>(i));
    ASSERT_TRUE(b.transport->send(b.clock.now(), a.key(), LinkChannel::kVoice, voice));
  }
  ASSERT_TRUE(pump(a, b, [&] {
    return b.messages_on(LinkChannel::kControl) == 1 && a.messages_on(LinkChannel::kVoice) == 20;
  }));
  const auto control = std::find_if(b.events.begin(), b.events.end(),
                                    [](const LinkEvent& e) { return e.kind == LinkEvent::Kind::kMessage; });
  EXPECT_EQ(control->data, hello);
  EXPECT_EQ(control->peer, a.key());
  EXPECT_EQ(a.transport->drops().total(), 0u);
  EXPECT_EQ(b.transport->drops().total(), 0u);
}

TEST(SecureTransport, BothSidesConnectingKeepExactlyOneConnection) {
  TestNode a(3), b(4);
  ASSERT_TRUE(a.transport->connect(a.clock.now(), b.key(), b.endpoint()));
  ASSERT_TRUE(b.transport->connect(b.clock.now(), a.key(), a.endpoint()));
  ASSERT_TRUE(pump(a, b, [&] { return a.transport->is_up(b.key()) && b.transport->is_up(a.key()); }));
  // Let any twin connection finish its tie-break, then check each side has one peer.
  pump(a, b, [] { return false; }, 1s);
  EXPECT_EQ(a.loop->host().enet()->connectedPeers, 1u);
  EXPECT_EQ(b.loop->host().enet()->connectedPeers, 1u);
  EXPECT_GE(a.transport->links().stats().duplicate_connections_closed +
                b.transport->links().stats().duplicate_connections_closed,
            1u);  // the twin connection existed and was closed by the rule
  ASSERT_TRUE(a.transport->send(a.clock.now(), b.key(), LinkChannel::kControl, Bytes{1}));
  ASSERT_TRUE(b.transport->send(b.clock.now(), a.key(), LinkChannel::kControl, Bytes{2}));
  EXPECT_TRUE(pump(a, b, [&] {
    return a.messages_on(LinkChannel::kControl) == 1 && b.messages_on(LinkChannel::kControl) == 1;
  }));
}

TEST(SecureTransport, WrongExpectedKeyNeverComesUp) {
  TestNode a(5), b(6), impostor(7);
  // a expects the impostor's key at b's endpoint: b cannot answer for that key.
  ASSERT_TRUE(a.transport->connect(a.clock.now(), impostor.key(), b.endpoint()));
  pump(a, b, [] { return false; }, 2s);
  EXPECT_FALSE(a.transport->is_up(impostor.key()));
  EXPECT_FALSE(a.transport->sessions().established(impostor.key()));
  EXPECT_GT(b.transport->drops().total(), 0u);  // b counted the initiation it could not open
}

TEST(SecureTransport, EnetConnectionWithoutASessionIsRefused) {
  TestNode a(8);
  ENetHost* stranger = enet_host_create(nullptr, 1, kLinkChannelCount, 0, 0);
  ENetAddress address = enet_from_endpoint(a.endpoint());
  enet_host_connect(stranger, &address, kLinkChannelCount, 0);
  const bool refused = test::ChildProcess::wait_for(
      [&] {
        a.loop->run_once(a, 2);
        ENetEvent event;
        while (enet_host_service(stranger, &event, 0) > 0) {
        }
        return a.transport->links().stats().unknown_connections_refused == 1;
      },
      20s);
  EXPECT_TRUE(refused);
  enet_host_destroy(stranger);
}

TEST(SecureTransport, ForgedSessionDatagramsAreDroppedAndCounted) {
  TestNode a(9), b(10);
  ASSERT_TRUE(a.transport->connect(a.clock.now(), b.key(), b.endpoint()));
  ASSERT_TRUE(pump(a, b, [&] { return a.transport->is_up(b.key()) && b.transport->is_up(a.key()); }));
  const uint64_t before = b.transport->drops().total();
  test::UdpTestSocket attacker;
  SeededRandom junk(11);
  for (int i = 0; i < 50; ++i) {
    Bytes forged{wire::kMagic, wire::kProtocolVersion, static_cast<uint8_t>(wire::PacketType::kSessionData)};
    forged.resize(3 + 4 + 4 + 16 + static_cast<size_t>(i));
    junk.fill(MutableByteView(forged).subspan(3));
    attacker.send_to(b.endpoint(), forged);
  }
  EXPECT_TRUE(pump(a, b, [&] { return b.transport->drops().total() >= before + 50; }));
  // The session still works afterwards.
  ASSERT_TRUE(a.transport->send(a.clock.now(), b.key(), LinkChannel::kControl, Bytes{7}));
  EXPECT_TRUE(pump(a, b, [&] { return b.messages_on(LinkChannel::kControl) == 1; }));
}

}  // namespace
}  // namespace koe

namespace koe {
namespace {

// A NAT in front of node A on loopback: A talks to `front`; the NAT forwards to B
// from its current outside socket and back. rebind() moves A to a new outside port
// and forgets the old one, as a NAT does when a mapping expires.
struct RebindingNat {
  explicit RebindingNat(Endpoint inner_target) : target(inner_target), outside(std::make_unique<test::UdpTestSocket>()) {}
  void pump() {
    Endpoint from;
    while (auto datagram = front.receive(0ms, &from)) {
      inside = from;
      outside->send_to(target, *datagram);
    }
    while (auto datagram = outside->receive(0ms)) {
      if (inside) front.send_to(*inside, *datagram);
    }
  }
  void rebind() { outside = std::make_unique<test::UdpTestSocket>(); }

  Endpoint target;
  test::UdpTestSocket front;
  std::unique_ptr<test::UdpTestSocket> outside;
  std::optional<Endpoint> inside;
};

// Pumps both nodes and the forwarder between them until `done` holds (bounded).
template <class Forwarder>
bool pump_through(TestNode& a, Forwarder& forwarder, TestNode& b, const std::function<bool()>& done) {
  return test::ChildProcess::wait_for(
      [&] {
        a.loop->run_once(a, 1);
        forwarder.pump();
        b.loop->run_once(b, 1);
        forwarder.pump();
        return done();
      },
      20s);
}

TEST(SecureTransport, RoamingPeerKeepsItsLinkOverEnet) {
  TestNode a(11), b(12);
  RebindingNat nat(b.endpoint());
  auto pump_all = [&](const std::function<bool()>& done) { return pump_through(a, nat, b, done); };
  ASSERT_TRUE(a.transport->connect(a.clock.now(), b.key(), nat.front.local()));
  ASSERT_TRUE(pump_all([&] { return a.transport->is_up(b.key()) && b.transport->is_up(a.key()); }));
  const Endpoint before = *b.transport->sessions().peer_endpoint(a.key());
  EXPECT_EQ(before, nat.outside->local());

  nat.rebind();
  // A speaks first from its new address; B follows it only because the datagram is
  // authenticated, then B's own control and voice reach A there.
  ASSERT_TRUE(a.transport->send(a.clock.now(), b.key(), LinkChannel::kControl, Bytes{'a'}));
  ASSERT_TRUE(pump_all([&] { return b.messages_on(LinkChannel::kControl) == 1; }));
  EXPECT_EQ(*b.transport->sessions().peer_endpoint(a.key()), nat.outside->local());
  EXPECT_NE(nat.outside->local(), before);
  ASSERT_TRUE(b.transport->send(b.clock.now(), a.key(), LinkChannel::kControl, Bytes{'b'}));
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(b.transport->send(b.clock.now(), a.key(), LinkChannel::kVoice, Bytes(60, static_cast<uint8_t>(i))));
  ASSERT_TRUE(pump_all([&] { return a.messages_on(LinkChannel::kControl) == 1 && a.messages_on(LinkChannel::kVoice) >= 9; }));
  EXPECT_GE(b.transport->links().stats().address_updates, 1u);
  // The link never went down on either side.
  for (const TestNode* node : {&a, &b})
    EXPECT_EQ(std::count_if(node->events.begin(), node->events.end(),
                            [](const LinkEvent& e) { return e.kind == LinkEvent::Kind::kDown; }),
              0);
}

// A forwarder in front of node B that loses A's first sealed session datagram: the
// keepalive that confirms A's new session to B.
struct LosesFirstConfirmation {
  explicit LosesFirstConfirmation(Endpoint inner_target) : target(inner_target) {}
  void pump() {
    Endpoint from;
    while (auto datagram = front.receive(0ms, &from)) {
      inside = from;
      const bool session_data = datagram->size() > wire::kHeaderSize && (*datagram)[0] == wire::kMagic &&
                                (*datagram)[2] == static_cast<uint8_t>(wire::PacketType::kSessionData);
      if (session_data && !lost) {
        lost = true;
        continue;
      }
      outside.send_to(target, *datagram);
    }
    while (auto datagram = outside.receive(0ms))
      if (inside) front.send_to(*inside, *datagram);
  }
  Endpoint target;
  test::UdpTestSocket front;
  test::UdpTestSocket outside;
  std::optional<Endpoint> inside;
  bool lost = false;
};

TEST(SecureTransport, LinkComesUpWhenTheSessionConfirmationIsLost) {
  // A's ENet connection reaches B before anything confirms A's new session: B holds
  // it (refusing would drop a link A already counts as up, and what A sent on it).
  TestNode a(21), b(22);
  LosesFirstConfirmation path(b.endpoint());
  ASSERT_TRUE(a.transport->connect(a.clock.now(), b.key(), path.front.local()));
  ASSERT_TRUE(pump_through(a, path, b, [&] { return a.transport->is_up(b.key()); }));
  ASSERT_TRUE(a.transport->send(a.clock.now(), b.key(), LinkChannel::kControl, Bytes{'a'}));
  ASSERT_TRUE(pump_through(a, path, b, [&] { return b.messages_on(LinkChannel::kControl) == 1; }));
  EXPECT_TRUE(path.lost);
  EXPECT_TRUE(b.transport->is_up(a.key()));
  EXPECT_EQ(b.transport->links().stats().connections_held, 1u);
  EXPECT_EQ(b.transport->links().stats().unknown_connections_refused, 0u);
  for (const TestNode* node : {&a, &b})
    EXPECT_EQ(std::count_if(node->events.begin(), node->events.end(),
                            [](const LinkEvent& e) { return e.kind == LinkEvent::Kind::kDown; }),
              0);
  // B answered the confirmation, so A stops sending keepalives for it.
  ASSERT_TRUE(pump_through(a, path, b, [&] { return a.transport->sessions().confirmed_by_peer(b.key()); }));
}

TEST(SecureTransport, MovePathTakesTheLinkOntoTheDirectPathWithoutALinkDown) {
  // A reaches B through a forwarder (standing in for a relay) and then moves the
  // session onto B's own endpoint, as after a late hole punch.
  TestNode a(31), b(32);
  RebindingNat relay(b.endpoint());
  auto pump_all = [&](const std::function<bool()>& done) { return pump_through(a, relay, b, done); };
  ASSERT_TRUE(a.transport->connect(a.clock.now(), b.key(), relay.front.local()));
  ASSERT_TRUE(pump_all([&] { return a.transport->is_up(b.key()) && b.transport->is_up(a.key()); }));
  EXPECT_EQ(*b.transport->sessions().peer_endpoint(a.key()), relay.outside->local());

  ASSERT_TRUE(a.transport->move_path(a.clock.now(), b.key(), b.endpoint()));
  ASSERT_TRUE(pump_all([&] { return b.transport->sessions().peer_endpoint(a.key()) == a.endpoint(); }));
  ASSERT_TRUE(a.transport->send(a.clock.now(), b.key(), LinkChannel::kControl, Bytes{'a'}));
  ASSERT_TRUE(b.transport->send(b.clock.now(), a.key(), LinkChannel::kControl, Bytes{'b'}));
  ASSERT_TRUE(pump_all([&] { return a.messages_on(LinkChannel::kControl) == 1 && b.messages_on(LinkChannel::kControl) == 1; }));
  EXPECT_EQ(*a.transport->sessions().peer_endpoint(b.key()), b.endpoint());
  for (const TestNode* node : {&a, &b})
    EXPECT_EQ(std::count_if(node->events.begin(), node->events.end(),
                            [](const LinkEvent& e) { return e.kind == LinkEvent::Kind::kDown; }),
              0);
}

}  // namespace
}  // namespace koe
