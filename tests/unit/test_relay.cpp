// Relays: the message codecs, allocation (signed, replay-proof, idempotent, quotas),
// binding by ticket, forwarding between bound sides only, bandwidth quotas without any
// cap on a call's duration, and on the simulated network: the relay chosen by RTT, a
// call that starts on the relay when punching cannot work, its move to the direct path
// without a gap, and its move to the standby relay within 3 s when the relay dies.
#include <gtest/gtest.h>

#include "net/relay_messages.hpp"
#include "net/relay_server.hpp"
#include "tests/unit/nat_sim_world.hpp"

namespace koe::natsim {
namespace {

using sim::NatBehavior;

constexpr Endpoint kRelay{Endpoint::make_ip(198, 51, 100, 9), 7000};
constexpr Endpoint kAlice{Endpoint::make_ip(203, 0, 113, 1), 40000};
constexpr Endpoint kBob{Endpoint::make_ip(203, 0, 113, 2), 41000};
constexpr Duration kWallClock = std::chrono::hours(24 * 365 * 50);

// --- Codecs -----------------------------------------------------------------------

TEST(RelayMessages, EveryKindRoundTrips) {
  RelayTicketBytes t{};
  t.fill(0xAB);
  SeededRandom random(1);
  const Identity id = Identity::generate(random);
  const std::vector<RelayControl> all = {
      RelayPing{1},
      RelayPong{2, 55},
      sign_relay_allocate(id, kRelay, 3, 4),
      RelayAllocated{5, 6, 60, {t, t}},
      RelayRefused{7, RelayRefusal::kIdentityQuota},
      RelayBind{8, 1, t},
      RelayBound{9, 0, 1234},
      RelayUnbound{10, 1},
      RelayRelease{11, 0, t},
  };
  for (const auto& m : all) {
    const Bytes bytes = encode_relay_control(m);
    const auto back = decode_relay_control(bytes);
    ASSERT_TRUE(back) << bytes.size();
    EXPECT_EQ(*back, m);
    EXPECT_EQ(decode_relay_control(Bytes(bytes.begin(), bytes.end() - 1)).error(), DecodeError::kTruncated);
    Bytes longer = bytes;
    longer.push_back(0);
    EXPECT_EQ(decode_relay_control(longer).error(), DecodeError::kTrailingBytes);
  }
}

TEST(RelayMessages, RejectsValuesNoEncoderProduces) {
  Bytes bind = encode_relay_control(RelayBind{8, 1, {}});
  bind[wire::kHeaderSize + 1 + 4] = 2;  // side
  EXPECT_EQ(decode_relay_control(bind).error(), DecodeError::kBadFieldValue);
  Bytes kind = encode_relay_control(RelayPing{1});
  kind[wire::kHeaderSize] = 0x7F;
  EXPECT_EQ(decode_relay_control(kind).error(), DecodeError::kBadFieldValue);
  Bytes pong = encode_relay_control(RelayPong{1, 100});
  pong.back() = 101;
  EXPECT_EQ(decode_relay_control(pong).error(), DecodeError::kBadFieldValue);
  Bytes refused = encode_relay_control(RelayRefused{1, RelayRefusal::kBusy});
  refused.back() = 0;
  EXPECT_EQ(decode_relay_control(refused).error(), DecodeError::kBadFieldValue);
}

TEST(RelayMessages, FramesCarryAnyPayloadUpToTheLimit) {
  EXPECT_FALSE(encode_relay_frame(1, {}));
  EXPECT_FALSE(encode_relay_frame(1, Bytes(kMaxRelayPayload + 1, 1)));
  const auto full = encode_relay_frame(0xDEADBEEF, Bytes(kMaxRelayPayload, 7));
  ASSERT_TRUE(full);
  EXPECT_EQ(full->size(), wire::kMaxDatagramSize);
  const auto frame = decode_relay_frame(*full);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->session_id, 0xDEADBEEFu);
  EXPECT_EQ(frame->payload.size(), kMaxRelayPayload);
  EXPECT_EQ(decode_relay_frame(Bytes(full->begin(), full->begin() + kRelayFrameOverhead)).error(), DecodeError::kTruncated);
}

TEST(RelayMessages, TicketListsRoundTrip) {
  RelayTicket t{kRelay, 77, 1, {}};
  t.ticket.fill(3);
  const auto bytes = encode_relay_tickets({t, t});
  ASSERT_TRUE(bytes);
  EXPECT_EQ(*decode_relay_tickets(*bytes), (std::vector<RelayTicket>{t, t}));
  EXPECT_FALSE(encode_relay_tickets(std::vector<RelayTicket>(kMaxRelayTickets + 1, t)));
  Bytes zero = *bytes;
  std::fill(zero.begin() + 1, zero.begin() + 5, 0);  // relay ip
  EXPECT_EQ(decode_relay_tickets(zero).error(), DecodeError::kBadFieldValue);
}

// --- The server, driven directly ------------------------------------------------

struct Direct {
  Direct(RelayServerConfig config = make_config()) : server(random, kRelay, config) {}
  static RelayServerConfig make_config() {
    RelayServerConfig c;
    c.wall_clock_offset = kWallClock;
    return c;
  }
  uint64_t wall(TimePoint at) const { return static_cast<uint64_t>((at.time_since_epoch() + kWallClock).count()); }
  // Sends `message` from `from` and returns the relay's answers.
  std::vector<OutDatagram> send(const Endpoint& from, const RelayControl& message) {
    server.on_datagram(now, from, encode_relay_control(message));
    return server.take_outbox();
  }
  std::optional<RelayAllocated> allocate(const Identity& who, const Endpoint& from, uint64_t nonce) {
    const auto out = send(from, sign_relay_allocate(who, kRelay, nonce, wall(now) + nonce));
    if (out.size() != 1) return std::nullopt;
    const auto m = decode_relay_control(out[0].bytes);
    if (!m || !std::holds_alternative<RelayAllocated>(*m)) return std::nullopt;
    return std::get<RelayAllocated>(*m);
  }
  std::optional<RelayRefusal> refusal(const std::vector<OutDatagram>& out) {
    if (out.size() != 1) return std::nullopt;
    const auto m = decode_relay_control(out[0].bytes);
    if (!m || !std::holds_alternative<RelayRefused>(*m)) return std::nullopt;
    return std::get<RelayRefused>(*m).reason;
  }

  SeededRandom random{9};
  RelayServer server;
  TimePoint now = TimePoint{} + 10s;
  SeededRandom id_random{10};
  Identity alice = Identity::generate(id_random);
};

TEST(RelayServer, AllocatesOnlyFreshRequestsSignedForThisRelay) {
  Direct d;
  // Signed for another relay: refused.
  EXPECT_EQ(d.refusal(d.send(kAlice, sign_relay_allocate(d.alice, kBob, 1, d.wall(d.now)))), RelayRefusal::kBadSignature);
  // Too old.
  EXPECT_EQ(d.refusal(d.send(kAlice, sign_relay_allocate(d.alice, kRelay, 2, d.wall(d.now) - 3 * 60'000'000ULL))),
            RelayRefusal::kStaleRequest);
  const RelayAllocate request = sign_relay_allocate(d.alice, kRelay, 3, d.wall(d.now));
  const auto first = d.send(kAlice, request);
  ASSERT_EQ(first.size(), 1u);
  const auto allocated = std::get<RelayAllocated>(*decode_relay_control(first[0].bytes));
  EXPECT_EQ(allocated.idle_timeout_s, 60);
  EXPECT_NE(allocated.tickets[0], allocated.tickets[1]);
  // Its retransmission (the answer was lost) gets the same session, not a second one...
  const auto again = d.send(kAlice, request);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(std::get<RelayAllocated>(*decode_relay_control(again[0].bytes)).session_id, allocated.session_id);
  EXPECT_EQ(d.server.session_count(), 1u);
  // ...but a copy replayed from elsewhere is refused as stale.
  EXPECT_EQ(d.refusal(d.send(kBob, request)), RelayRefusal::kStaleRequest);
}

TEST(RelayServer, QuotasPerIdentityAndPerRelay) {
  RelayServerConfig config = Direct::make_config();
  config.max_sessions = 6;
  config.control_rate.burst = 100;
  Direct d(config);
  for (uint64_t i = 1; i <= 4; ++i) ASSERT_TRUE(d.allocate(d.alice, kAlice, i));
  EXPECT_EQ(d.refusal(d.send(kAlice, sign_relay_allocate(d.alice, kRelay, 5, d.wall(d.now) + 5))), RelayRefusal::kIdentityQuota);
  SeededRandom r(77);
  const Identity other = Identity::generate(r);
  ASSERT_TRUE(d.allocate(other, kBob, 6));
  ASSERT_TRUE(d.allocate(other, kBob, 7));
  EXPECT_EQ(d.refusal(d.send(kBob, sign_relay_allocate(other, kRelay, 8, d.wall(d.now) + 8))), RelayRefusal::kBusy);
}

TEST(RelayServer, ForwardsOnlyBetweenTheTwoBoundSides) {
  Direct d;
  const auto a = *d.allocate(d.alice, kAlice, 1);
  // Bob binds with the wrong ticket: nothing; with the right one: bound.
  RelayTicketBytes wrong = a.tickets[1];
  wrong[0] ^= 1;
  EXPECT_TRUE(d.send(kBob, RelayBind{a.session_id, 1, wrong}).empty());
  EXPECT_EQ(d.server.counters().bad_ticket, 1u);
  const auto bound = d.send(kBob, RelayBind{a.session_id, 1, a.tickets[1]});
  ASSERT_EQ(bound.size(), 1u);
  EXPECT_LT(std::get<RelayBound>(*decode_relay_control(bound[0].bytes)).peer_idle_ms, 100u);

  const Bytes frame = *encode_relay_frame(a.session_id, Bytes(80, 0x55));
  d.server.on_datagram(d.now, kAlice, frame);
  auto out = d.server.take_outbox();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to, kBob);
  EXPECT_EQ(out[0].bytes, frame) << "forwarded as is: the relay cannot read or change it";
  d.server.on_datagram(d.now, kBob, frame);
  ASSERT_EQ(d.server.take_outbox().at(0).to, kAlice);
  // A stranger who learnt the session id gets nothing through.
  d.server.on_datagram(d.now, Endpoint{Endpoint::make_ip(198, 51, 100, 66), 1}, frame);
  EXPECT_TRUE(d.server.take_outbox().empty());
  EXPECT_EQ(d.server.counters().unbound_frames, 1u);
  // Unknown sessions answer binds with "unbound" so the client fails over at once.
  const auto unbound = d.send(kBob, RelayBind{a.session_id + 1, 1, a.tickets[1]});
  ASSERT_EQ(unbound.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<RelayUnbound>(*decode_relay_control(unbound[0].bytes)));
  // Release needs the ticket.
  d.send(kBob, RelayRelease{a.session_id, 1, wrong});
  EXPECT_EQ(d.server.session_count(), 1u);
  d.send(kBob, RelayRelease{a.session_id, 1, a.tickets[1]});
  EXPECT_EQ(d.server.session_count(), 0u);
}

TEST(RelayServer, BandwidthQuotaDropsTheExcessButNeverEndsTheCall) {
  Direct d;
  const auto a = *d.allocate(d.alice, kAlice, 1);
  d.send(kBob, RelayBind{a.session_id, 1, a.tickets[1]});
  // One hour of a 64 kbit/s call (200-byte frames at 40/s each way) keeps flowing;
  // a burst at 4x the session quota is cut to the quota.
  const Bytes voice = *encode_relay_frame(a.session_id, Bytes(193, 1));
  uint64_t forwarded = 0;
  for (int tick = 0; tick < 3600 * 40; ++tick) {
    d.now += 25ms;
    d.server.on_datagram(d.now, kAlice, voice);
    d.server.on_datagram(d.now, kBob, voice);
    if (tick % 400 == 0) d.server.on_timer(d.now);
    forwarded += d.server.take_outbox().size();
  }
  EXPECT_EQ(forwarded, 2u * 3600 * 40) << "no cap on duration or total bytes";
  EXPECT_EQ(d.server.session_count(), 1u);
  const Bytes big = *encode_relay_frame(a.session_id, Bytes(1000, 1));
  uint64_t passed = 0;
  for (int i = 0; i < 1280; ++i) {  // 128 kB/s for 10 s
    d.now += 7812us;
    d.server.on_datagram(d.now, kAlice, big);
    passed += d.server.take_outbox().size();
  }
  EXPECT_GT(d.server.counters().over_quota, 0u);
  EXPECT_LE(passed * 1007, 32'000u * 11) << "at most the quota plus one second of burst";
  EXPECT_GE(passed * 1007, 32'000u * 9);
}

TEST(RelayServer, IdleSessionsEndAfterTheTimeout) {
  Direct d;
  d.allocate(d.alice, kAlice, 1);
  d.now += 59s;
  d.server.on_timer(d.now);
  d.now += 20s;
  d.server.on_timer(d.now);
  EXPECT_EQ(d.server.session_count(), 0u);
  EXPECT_EQ(d.server.counters().expired, 1u);
}

TEST(RelayServer, RateLimitsControlBeforeAnySignatureCheck) {
  Direct d;
  for (uint64_t i = 0; i < 100; ++i) d.send(kAlice, RelayAllocate{i, 0, {}, {}});
  EXPECT_EQ(d.server.counters().rate_limited, 90u);
  EXPECT_EQ(d.server.counters().refused, 10u);
}

// --- On the simulated network ----------------------------------------------------

constexpr uint32_t kNatA = Endpoint::make_ip(203, 0, 113, 1);
constexpr uint32_t kNatB = Endpoint::make_ip(203, 0, 113, 2);
constexpr Endpoint kR0{Endpoint::make_ip(198, 51, 100, 20), 7000};
constexpr Endpoint kR1{Endpoint::make_ip(198, 51, 100, 21), 7000};
constexpr Endpoint kR2{Endpoint::make_ip(198, 51, 100, 22), 7000};

struct RelayWorld {
  explicit RelayWorld(uint64_t seed, sim::NatConfig a = symmetric(kNatA), sim::NatConfig b = symmetric(kNatB),
                      double loss = 0.0)
      : net(seed) {
    sim::LinkParams internet;
    internet.latency = 20ms;
    internet.loss = loss;
    net.set_realm_link(sim::kInternet, internet);
    relays.push_back(std::make_unique<Supernode>(net, kR0, std::vector<Endpoint>{}, 4, config()));
    relays.push_back(std::make_unique<Supernode>(net, kR1, std::vector<Endpoint>{}, 5, config()));
    relays.push_back(std::make_unique<Supernode>(net, kR2, std::vector<Endpoint>{}, 6, config()));
    // Different distances: R1 is nearest, then R2, then R0.
    sim::LinkParams far, mid, near;
    far.latency = 40ms;
    mid.latency = 15ms;
    near.latency = 2ms;
    net.set_access_link(relays[0]->host, far);
    net.set_access_link(relays[1]->host, near);
    net.set_access_link(relays[2]->host, mid);
    nat_a = net.add_nat(a);
    nat_b = net.add_nat(b);
    alice = std::make_unique<Node>(net, nat_a.inside, Endpoint::make_ip(192, 168, 1, 10), seed * 3);
    bob = std::make_unique<Node>(net, nat_b.inside, Endpoint::make_ip(192, 168, 2, 10), seed * 3 + 1);
  }
  static sim::NatConfig symmetric(uint32_t ip) {
    return nat(ip, NatBehavior::kAddressAndPortDependent, NatBehavior::kAddressAndPortDependent, sim::PortAllocation::kRandom);
  }
  static RelayServerConfig config() {
    RelayServerConfig c;
    c.wall_clock_offset = kWallClock;
    return c;
  }
  // Discovery, offers and relays for a call: alice calls bob.
  void setup_call() {
    ASSERT_TRUE(discover(net, *alice) && discover(net, *bob));
    ASSERT_TRUE(setup_relays(net, *alice, *bob, {kR0, kR1, kR2}));
    call_start = net.now();
    ASSERT_TRUE(start_punch(net, *alice, *bob));
    alice->sessions.connect(net.now(), key_of(bob->identity), kR1);
    alice->flush(net.now());
  }

  sim::SimNetwork net;
  std::vector<std::unique_ptr<Supernode>> relays;
  sim::NatHandle nat_a{}, nat_b{};
  Supernode s0{net, kS0, {kS2}, 1};
  Supernode s1{net, kS1, {kS2}, 2};
  Supernode s2{net, kS2, {kS0, kS1}, 3};
  std::unique_ptr<Node> alice, bob;
  TimePoint call_start{};
};

TEST(RelayOnSim, RelayIsChosenByMeasuredRtt) {
  RelayWorld w(1);
  ASSERT_TRUE(discover(w.net, *w.alice));
  w.alice->relays.measure(w.net.now(), {kR0, kR1, kR2});
  w.alice->flush(w.net.now());
  ASSERT_TRUE(w.net.run_until([&] { return !w.alice->relays.measuring(); }, w.net.now() + 5s));
  const auto ranked = w.alice->relays.ranked();
  ASSERT_EQ(ranked.size(), 3u);
  EXPECT_EQ(ranked[0].relay, kR1);
  EXPECT_EQ(ranked[1].relay, kR2);
  EXPECT_EQ(ranked[2].relay, kR0);
  EXPECT_LT(ranked[0].rtt, ranked[2].rtt);
}

TEST(RelayOnSim, SymmetricToSymmetricCallRunsOnTheRelayAtOnce) {
  RelayWorld w(2);
  w.setup_call();
  ASSERT_TRUE(w.net.run_until([&] { return w.alice->sessions.established(key_of(w.bob->identity)); }, w.net.now() + 5s));
  EXPECT_LE(*w.alice->first_route_at() - w.call_start, 100ms) << "no waiting for a punch that cannot work";
  EXPECT_EQ(w.alice->path.route().kind, CallRoute::Kind::kRelay);
  EXPECT_EQ(w.alice->path.route().relay, w.alice->path.relays()[0]);
  EXPECT_EQ(*w.alice->relays.relay_of(w.alice->path.route().relay), kR1) << "the nearest relay carries the call";
  uint64_t seq = 0;
  talk(w.net, *w.alice, *w.bob, seq, 5s);
  w.net.run_for(1s);
  EXPECT_EQ(longest_gap(w.bob->received, 1, seq), 0u);
  EXPECT_EQ(longest_gap(w.alice->received, 1, seq), 0u);
  EXPECT_EQ(w.bob->direct_datagrams, 0u);
  EXPECT_GT(w.relays[1]->relay.counters().frames_forwarded, 2 * seq);
}

TEST(RelayOnSim, CallMovesFromTheRelayToTheDirectPathWithoutAGap) {
  // Cone NATs, but the path between them is cut at first: the call starts on the
  // relay, punching keeps trying in the background, and the call moves when it works.
  RelayWorld w(3, nat(kNatA, NatBehavior::kEndpointIndependent, NatBehavior::kAddressAndPortDependent),
               nat(kNatB, NatBehavior::kEndpointIndependent, NatBehavior::kAddressAndPortDependent));
  sim::LinkParams cut;
  cut.loss = 1.0;
  w.net.set_path_link(w.nat_a.node, w.nat_b.node, cut);
  w.net.set_path_link(w.nat_b.node, w.nat_a.node, cut);
  w.setup_call();
  ASSERT_TRUE(w.net.run_until([&] { return w.bob->sessions.established(key_of(w.alice->identity)); }, w.net.now() + 5s));
  EXPECT_LE(w.net.now() - w.call_start, 2s) << "on the relay within 2 s";
  uint64_t seq = 0;
  talk(w.net, *w.alice, *w.bob, seq, 3s);
  EXPECT_EQ(w.alice->path.route().kind, CallRoute::Kind::kRelay);
  sim::LinkParams open;
  open.latency = 20ms;
  w.net.set_path_link(w.nat_a.node, w.nat_b.node, open);
  w.net.set_path_link(w.nat_b.node, w.nat_a.node, open);
  const uint64_t before_move = seq;
  talk(w.net, *w.alice, *w.bob, seq, 15s);
  w.net.run_for(1s);
  ASSERT_EQ(w.alice->path.route().kind, CallRoute::Kind::kDirect) << "seed 3";
  ASSERT_EQ(w.bob->path.route().kind, CallRoute::Kind::kDirect);
  EXPECT_GT(w.bob->direct_datagrams, 0u);
  EXPECT_EQ(longest_gap(w.bob->received, 1, seq), 0u) << "nothing lost around the move";
  EXPECT_EQ(longest_gap(w.alice->received, 1, seq), 0u);
  EXPECT_GT(seq, before_move);
}

TEST(RelayOnSim, CallMovesToTheStandbyRelayWithinThreeSecondsWhenItsRelayDies) {
  RelayWorld w(4);
  w.setup_call();
  ASSERT_TRUE(w.net.run_until([&] { return w.bob->sessions.established(key_of(w.alice->identity)); }, w.net.now() + 5s));
  uint64_t seq = 0;
  talk(w.net, *w.alice, *w.bob, seq, 3s);
  ASSERT_EQ(w.alice->path.route().relay, w.alice->path.relays()[0]);
  const uint64_t killed_at_seq = seq;
  w.relays[1]->kill();  // R1, the primary
  talk(w.net, *w.alice, *w.bob, seq, 6s);
  w.net.run_for(1s);
  ASSERT_EQ(w.alice->path.route().relay, w.alice->path.relays()[1]);
  ASSERT_EQ(w.bob->path.route().relay, w.bob->path.relays()[1]);
  // Payloads sent in the 3 s after the relay died may be lost, none after that.
  const uint64_t three_seconds = 3000 / 20;
  EXPECT_LE(longest_gap(w.bob->received, killed_at_seq, seq), three_seconds);
  EXPECT_EQ(longest_gap(w.bob->received, killed_at_seq + three_seconds, seq), 0u);
  EXPECT_EQ(longest_gap(w.alice->received, killed_at_seq + three_seconds, seq), 0u);
  EXPECT_FALSE(w.alice->path.needs_relay());

  // The standby dies too: nothing usable is left, and the path says so.
  w.relays[2]->kill();
  talk(w.net, *w.alice, *w.bob, seq, 3s);
  EXPECT_EQ(w.alice->path.route().kind, CallRoute::Kind::kNone);
  EXPECT_TRUE(w.alice->path.needs_relay());
}

TEST(RelayOnSim, CallOnTheRelayUnderTenPercentLoss) {
  RelayWorld w(5, RelayWorld::symmetric(kNatA), RelayWorld::symmetric(kNatB), 0.10);
  w.setup_call();
  ASSERT_TRUE(w.net.run_until([&] { return w.alice->sessions.established(key_of(w.bob->identity)); }, w.net.now() + 5s));
  EXPECT_LE(w.net.now() - w.call_start, 2s);
  uint64_t seq = 0;
  talk(w.net, *w.alice, *w.bob, seq, 10s);
  EXPECT_EQ(w.alice->path.route().kind, CallRoute::Kind::kRelay);
  // Two lossy hops: about 81% arrive.
  EXPECT_GT(w.bob->received.size(), seq * 7 / 10);
}

}  // namespace
}  // namespace koe::natsim
