// Hole punching: the offer codec and keys, the punch messages' MAC, the plan for each
// pair of NATs, and the success matrix on the simulated network (cone/cone, public/any,
// same NAT over the LAN, symmetric/cone by prediction or birthday punching, full cone/
// symmetric, symmetric/symmetric to the relay at once), under loss, within the probe budget, and safe from
// a third party steering the path.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include "net/punch_messages.hpp"
#include "net/punch_plan.hpp"
#include "tests/unit/nat_sim_world.hpp"

namespace koe::natsim {
namespace {

using sim::NatBehavior;

constexpr uint32_t kNatA = Endpoint::make_ip(203, 0, 113, 1);
constexpr uint32_t kNatB = Endpoint::make_ip(203, 0, 113, 2);
constexpr uint32_t kLanA = Endpoint::make_ip(192, 168, 1, 10);
constexpr uint32_t kLanB = Endpoint::make_ip(192, 168, 1, 11);
constexpr uint32_t kPublicA = Endpoint::make_ip(198, 51, 100, 50);
constexpr uint32_t kPublicB = Endpoint::make_ip(198, 51, 100, 51);

const sim::NatConfig kCone = nat(0, NatBehavior::kEndpointIndependent, NatBehavior::kAddressAndPortDependent);
const sim::NatConfig kFullCone = nat(0, NatBehavior::kEndpointIndependent, NatBehavior::kEndpointIndependent);
const sim::NatConfig kSymmetricSequential =
    nat(0, NatBehavior::kAddressAndPortDependent, NatBehavior::kAddressAndPortDependent);
const sim::NatConfig kSymmetricRandom =
    nat(0, NatBehavior::kAddressAndPortDependent, NatBehavior::kAddressAndPortDependent, sim::PortAllocation::kRandom);

// --- Offer, keys and messages ---------------------------------------------------

PunchOffer sample_offer(uint8_t fill) {
  PunchOffer o;
  o.secret.fill(fill);
  o.nat = NatProfile{NatMapping::kEndpointDependent, NatFiltering::kDependent, PortAllocation::kSequential, -2, 40000};
  o.candidates = {{CandidateKind::kLan, {kLanA, 5000}}, {CandidateKind::kReflexive, {kNatA, 40001}}};
  return o;
}

TEST(PunchOffer, RoundTripsAndRejectsWhatItCannotCarry) {
  const PunchOffer offer = sample_offer(7);
  const auto bytes = encode_punch_offer(offer);
  ASSERT_TRUE(bytes);
  const auto back = decode_punch_offer(*bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, offer);

  PunchOffer crowded = offer;
  crowded.candidates.resize(kMaxPunchCandidates + 1, offer.candidates[0]);
  EXPECT_FALSE(encode_punch_offer(crowded));
  PunchOffer zero = offer;
  zero.candidates[0].endpoint.port = 0;
  EXPECT_FALSE(encode_punch_offer(zero));

  Bytes bad = *bytes;
  bad[0] = 9;
  EXPECT_EQ(decode_punch_offer(bad).error(), DecodeError::kBadVersion);
  bad = *bytes;
  bad[1 + kPunchSecretSize] = 9;  // mapping
  EXPECT_EQ(decode_punch_offer(bad).error(), DecodeError::kBadFieldValue);
  bad = *bytes;
  bad[1 + kPunchSecretSize + 7 + 1] = 3;  // first candidate's kind
  EXPECT_EQ(decode_punch_offer(bad).error(), DecodeError::kBadFieldValue);
  bad = *bytes;
  bad.push_back(0);
  EXPECT_EQ(decode_punch_offer(bad).error(), DecodeError::kTrailingBytes);
  EXPECT_EQ(decode_punch_offer(Bytes(bytes->begin(), bytes->end() - 1)).error(), DecodeError::kTruncated);
}

TEST(PunchKeys, BothSidesDeriveTheSameKeyWithOppositeRoles) {
  const PunchSecret a = sample_offer(1).secret, b = sample_offer(2).secret;
  const auto ka = derive_punch_keys(a, b), kb = derive_punch_keys(b, a);
  ASSERT_TRUE(ka && kb);
  EXPECT_EQ(ka->mac_key, kb->mac_key);
  EXPECT_EQ(ka->id, kb->id);
  EXPECT_NE(ka->local_role, kb->local_role);
  EXPECT_FALSE(derive_punch_keys(a, a)) << "our own offer reflected back";
  EXPECT_NE(derive_punch_keys(a, sample_offer(3).secret)->mac_key, ka->mac_key);
}

TEST(PunchMessages, MacCoversEveryByte) {
  const auto keys = *derive_punch_keys(sample_offer(1).secret, sample_offer(2).secret);
  const PunchMessage m{keys.id, 99, keys.local_role, {kNatB, 4000}};
  const Bytes probe = encode_punch(wire::PacketType::kPunchProbe, keys.mac_key, m);
  EXPECT_EQ(probe.size(), kPunchMessageSize);
  EXPECT_EQ(*decode_punch(wire::PacketType::kPunchProbe, probe), m);
  EXPECT_TRUE(punch_mac_valid(keys.mac_key, probe));
  EXPECT_EQ(decode_punch(wire::PacketType::kPunchAck, probe).error(), DecodeError::kWrongType);
  for (size_t i = wire::kHeaderSize; i < probe.size(); ++i) {
    Bytes tampered = probe;
    tampered[i] ^= 1;
    EXPECT_FALSE(punch_mac_valid(keys.mac_key, tampered)) << i;
  }
  noise::Key other = keys.mac_key;
  other[0] ^= 1;
  EXPECT_FALSE(punch_mac_valid(other, probe));
}

// --- Plans ----------------------------------------------------------------------

PunchOffer offer_of(NatProfile nat, std::vector<Candidate> candidates) {
  PunchOffer o;
  o.nat = nat;
  o.candidates = std::move(candidates);
  return o;
}

const NatProfile kConeProfile{NatMapping::kEndpointIndependent, NatFiltering::kDependent, PortAllocation::kUnknown, 0, 0};
const NatProfile kSymSeqProfile{NatMapping::kEndpointDependent, NatFiltering::kDependent, PortAllocation::kSequential, 1, 3000};
const NatProfile kSymRandomProfile{NatMapping::kEndpointDependent, NatFiltering::kDependent, PortAllocation::kRandom, 0, 3000};

TEST(PunchPlan, SameNatTriesTheLanFirst) {
  SeededRandom random(1);
  const auto plan = make_punch_plan(
      offer_of(kConeProfile, {{CandidateKind::kLan, {kLanA, 5000}}, {CandidateKind::kReflexive, {kNatA, 1024}}}),
      offer_of(kConeProfile, {{CandidateKind::kLan, {kLanB, 5000}}, {CandidateKind::kReflexive, {kNatA, 1025}}}), random);
  EXPECT_TRUE(plan.lan_first);
  ASSERT_EQ(plan.basic.size(), 2u);
  EXPECT_EQ(plan.basic[0], (PunchTarget{{kLanB, 5000}, PunchPathKind::kLan}));
  EXPECT_EQ(plan.basic[1], (PunchTarget{{kNatA, 1025}, PunchPathKind::kReflexive}));
}

TEST(PunchPlan, PredictsASequentialSymmetricPeer) {
  SeededRandom random(1);
  const auto plan = make_punch_plan(offer_of(kConeProfile, {{CandidateKind::kReflexive, {kNatA, 1024}}}),
                                    offer_of(kSymSeqProfile, {{CandidateKind::kReflexive, {kNatB, 2999}}}), random);
  EXPECT_TRUE(plan.basic.empty()) << "the symmetric peer's reflexive endpoint only admits its supernode";
  ASSERT_EQ(plan.guesses.size(), 16u);
  EXPECT_EQ(plan.guesses[0].to, (Endpoint{kNatB, 3001}));
  EXPECT_TRUE(plan.cycle_guesses);
  EXPECT_FALSE(plan.hopeless);
}

TEST(PunchPlan, GuessesBoundedRandomPortsOfAnUnpredictablePeer) {
  SeededRandom random(1);
  const auto plan = make_punch_plan(offer_of(kConeProfile, {{CandidateKind::kReflexive, {kNatA, 1024}}}),
                                    offer_of(kSymRandomProfile, {{CandidateKind::kReflexive, {kNatB, 2999}}}), random);
  EXPECT_EQ(plan.guesses.size(), 256u);
  EXPECT_FALSE(plan.cycle_guesses);
  std::map<uint16_t, int> ports;
  for (const auto& g : plan.guesses) {
    EXPECT_GE(g.to.port, 1024);
    ++ports[g.to.port];
  }
  EXPECT_EQ(ports.size(), 256u) << "each guessed port once";
  EXPECT_EQ(plan.spray_sockets, 0u) << "the symmetric peer sprays, we guess";
}

TEST(PunchPlan, UnpredictableSideSpraysFromItsOwnSocketsAtAFilteringCone) {
  SeededRandom random(1);
  const auto plan = make_punch_plan(offer_of(kSymRandomProfile, {{CandidateKind::kReflexive, {kNatA, 1024}}}),
                                    offer_of(kConeProfile, {{CandidateKind::kReflexive, {kNatB, 2999}}}), random);
  EXPECT_EQ(plan.spray_sockets, 256u);
  ASSERT_EQ(plan.guesses.size(), 256u);
  std::map<uint16_t, int> sockets;
  for (const auto& g : plan.guesses) {
    EXPECT_EQ(g.to, (Endpoint{kNatB, 2999})) << "every spray socket probes the cone's one mapping";
    ++sockets[g.socket];
  }
  EXPECT_EQ(sockets.size(), 256u);
  EXPECT_EQ(sockets.begin()->first, 1u) << "socket 0 is the shared one";
  EXPECT_FALSE(plan.cycle_guesses);
  EXPECT_GT(plan.basic_every_rounds, 1u) << "the budget goes to the spray";
  EXPECT_FALSE(plan.hopeless);

  // Not when the peer is reachable anyway (connection reversal), nor when our ports can
  // be predicted (the peer walks them), nor between two symmetric NATs.
  const NatProfile full_cone{NatMapping::kEndpointIndependent, NatFiltering::kEndpointIndependent,
                             PortAllocation::kUnknown, 0, 0};
  for (const auto& [ours, theirs] : {std::pair{kSymRandomProfile, full_cone}, std::pair{kSymSeqProfile, kConeProfile},
                                     std::pair{kSymRandomProfile, kSymRandomProfile}}) {
    const auto other = make_punch_plan(offer_of(ours, {{CandidateKind::kReflexive, {kNatA, 1024}}}),
                                       offer_of(theirs, {{CandidateKind::kReflexive, {kNatB, 2999}}}), random);
    EXPECT_EQ(other.spray_sockets, 0u);
  }
}

TEST(PunchPlan, TwoUnpredictableSymmetricNatsAreHopeless) {
  SeededRandom random(1);
  const auto plan = make_punch_plan(offer_of(kSymRandomProfile, {{CandidateKind::kLan, {kLanA, 5000}}, {CandidateKind::kReflexive, {kNatA, 1024}}}),
                                    offer_of(kSymRandomProfile, {{CandidateKind::kLan, {kLanB, 5000}}, {CandidateKind::kReflexive, {kNatB, 2999}}}), random);
  EXPECT_TRUE(plan.hopeless);
}

TEST(PunchPlan, ReachablePeerMeansConnectionReversal) {
  SeededRandom random(1);
  const NatProfile public_profile{NatMapping::kNone, NatFiltering::kEndpointIndependent, PortAllocation::kUnknown, 0, 0};
  const auto plan = make_punch_plan(offer_of(kSymRandomProfile, {{CandidateKind::kReflexive, {kNatA, 1024}}}),
                                    offer_of(public_profile, {{CandidateKind::kLan, {kPublicB, 5000}}}), random);
  EXPECT_TRUE(plan.peer_reachable);
  EXPECT_FALSE(plan.we_are_reachable);
  ASSERT_EQ(plan.basic.size(), 1u);
  EXPECT_EQ(plan.basic[0].to, (Endpoint{kPublicB, 5000}));
}

// --- The matrix on the simulated network ------------------------------------------

struct Outcome {
  std::optional<Duration> a_direct, b_direct, a_failed, b_failed;
  std::optional<PunchResult> a_result, b_result;
  uint32_t a_attempts = 0;
};

struct PunchWorld {
  PunchWorld(uint64_t seed, double loss) : net(seed) {
    sim::LinkParams internet;
    internet.latency = 20ms;
    internet.loss = loss;
    net.set_realm_link(sim::kInternet, internet);
  }
  // A node behind a new NAT of `config`'s behaviour, or public when there is none.
  std::unique_ptr<Node> node(const std::optional<sim::NatConfig>& config, uint32_t nat_ip, uint32_t lan_ip,
                             uint32_t public_ip, uint64_t seed) {
    if (!config) return std::make_unique<Node>(net, sim::kInternet, public_ip, seed);
    sim::NatConfig c = *config;
    c.public_ip = nat_ip;
    return std::make_unique<Node>(net, net.add_nat(c).inside, lan_ip, seed);
  }
  sim::SimNetwork net;
  Supernode s0{net, kS0, {kS2}, 1};
  Supernode s1{net, kS1, {kS2}, 2};
  Supernode s2{net, kS2, {kS0, kS1}, 3};
};

std::optional<Duration> when(const Node& n, HolePunchEvent::Kind kind, TimePoint start) {
  for (const auto& [at, e] : n.punch_events) {
    if (e.kind == kind) return at - start;
  }
  return std::nullopt;
}

Outcome punch_between(uint64_t seed, const std::optional<sim::NatConfig>& nat_a,
                      const std::optional<sim::NatConfig>& nat_b, double loss = 0.0, Duration run = 3s) {
  PunchWorld w(seed, loss);
  auto a = w.node(nat_a, kNatA, kLanA, kPublicA, seed * 2);
  auto b = w.node(nat_b, kNatB, kLanB, kPublicB, seed * 2 + 1);
  EXPECT_TRUE(discover(w.net, *a) && discover(w.net, *b)) << "seed " << seed;
  const TimePoint start = w.net.now();
  EXPECT_TRUE(start_punch(w.net, *a, *b));
  w.net.run_until(
      [&] { return a->punch->state() == HolePunchState::kConnected && b->punch->state() == HolePunchState::kConnected; },
      start + run);
  Outcome o;
  o.a_direct = when(*a, HolePunchEvent::Kind::kDirect, start);
  o.b_direct = when(*b, HolePunchEvent::Kind::kDirect, start);
  o.a_failed = when(*a, HolePunchEvent::Kind::kFailed, start);
  o.b_failed = when(*b, HolePunchEvent::Kind::kFailed, start);
  o.a_result = a->punch->result();
  o.b_result = b->punch->result();
  o.a_attempts = a->punch->attempts();
  return o;
}

void expect_direct_within(const Outcome& o, Duration limit, uint64_t seed) {
  ASSERT_TRUE(o.a_direct && o.b_direct) << "seed " << seed;
  EXPECT_LE(*o.a_direct, limit) << "seed " << seed;
  EXPECT_LE(*o.b_direct, limit) << "seed " << seed;
}

TEST(HolePunchMatrix, ConeToCone) {
  const Outcome o = punch_between(1, kCone, kCone);
  expect_direct_within(o, 300ms, 1);
  EXPECT_EQ(o.a_result->kind, PunchPathKind::kReflexive);
  EXPECT_EQ(o.a_result->remote.ip, kNatB);
  EXPECT_FALSE(o.a_failed);
}

TEST(HolePunchMatrix, PublicToAnyNat) {
  for (const auto& other : {kCone, kFullCone, kSymmetricSequential, kSymmetricRandom}) {
    const Outcome o = punch_between(2, std::nullopt, other);
    expect_direct_within(o, 300ms, 2);
    EXPECT_EQ(o.b_result->remote, (Endpoint{kPublicA, 5000}));
  }
}

TEST(HolePunchMatrix, SameNatGoesOverTheLan) {
  PunchWorld w(3, 0.0);
  sim::NatConfig c = kCone;
  c.public_ip = kNatA;
  c.hairpinning = false;  // many home routers: only the LAN path can work
  const auto realm = w.net.add_nat(c).inside;
  Node a(w.net, realm, kLanA, 6), b(w.net, realm, kLanB, 7);
  ASSERT_TRUE(discover(w.net, a) && discover(w.net, b));
  ASSERT_TRUE(start_punch(w.net, a, b));
  ASSERT_TRUE(w.net.run_until([&] { return a.punch->result() && b.punch->result(); }, w.net.now() + 2s));
  EXPECT_EQ(a.punch->result()->kind, PunchPathKind::kLan);
  EXPECT_EQ(a.punch->result()->remote, (Endpoint{kLanB, 5000}));
  EXPECT_EQ(b.punch->result()->remote, (Endpoint{kLanA, 5000}));
}

TEST(HolePunchMatrix, SymmetricSequentialToConeByPrediction) {
  const Outcome o = punch_between(4, kSymmetricSequential, kCone);
  expect_direct_within(o, 500ms, 4);
  EXPECT_EQ(o.b_result->kind, PunchPathKind::kPredicted) << "the cone side guessed the symmetric side's port";
  EXPECT_FALSE(o.a_failed);
}

TEST(HolePunchMatrix, SymmetricSequentialToSymmetricSequentialByPairedPrediction) {
  const Outcome o = punch_between(5, kSymmetricSequential, kSymmetricSequential);
  expect_direct_within(o, 500ms, 5);
  EXPECT_EQ(o.a_result->kind, PunchPathKind::kPredicted);
}

TEST(HolePunchMatrix, FullConeToSymmetricRandom) {
  const Outcome o = punch_between(6, kFullCone, kSymmetricRandom);
  expect_direct_within(o, 300ms, 6);
}

// Birthday punching: the symmetric side sprays from 256 sockets, the cone side guesses
// 256 of its ports; an attempt hits with about 1-e^(-256·256/64512) ≈ 63 %, and each
// later attempt's fresh sockets also meet every earlier guess. Without a hit in the
// first second the call goes to a relay (kFailed) and moves when one comes.
struct BirthdayTally {
  int runs = 0, first_attempt = 0, within_12s = 0;
};

BirthdayTally birthday_runs(uint64_t first_seed, int runs, double loss) {
  BirthdayTally t;
  for (uint64_t seed = first_seed; seed < first_seed + static_cast<uint64_t>(runs); ++seed) {
    const Outcome o = punch_between(seed, kSymmetricRandom, kCone, loss, 12s);
    ++t.runs;
    EXPECT_TRUE((o.a_direct && *o.a_direct <= 1s) || (o.a_failed && *o.a_failed <= 1s)) << "seed " << seed;
    if (!o.a_direct || !o.b_direct) continue;
    ++t.within_12s;
    if (o.a_result->attempt == 1) ++t.first_attempt;
    EXPECT_NE(o.a_result->socket, kSharedSocket) << "the symmetric side's hit is one of its spray sockets";
    EXPECT_EQ(o.b_result->remote.ip, kNatA);
    EXPECT_EQ(o.b_result->socket, kSharedSocket) << "the cone side keeps its one socket";
  }
  std::printf("birthday punching at %.0f%% loss: %d/%d in the first attempt, %d/%d within 12 s\n", loss * 100,
              t.first_attempt, t.runs, t.within_12s, t.runs);
  return t;
}

TEST(HolePunchMatrix, SymmetricRandomToConeByBirthdayPunching) {
  const BirthdayTally t = birthday_runs(100, 40, 0.0);
  EXPECT_GE(t.first_attempt, 16) << "about 60 % expected in the first attempt";
  EXPECT_GE(t.within_12s, 34) << "about 93 % expected by the second attempt's end";
}

TEST(HolePunchMatrix, SymmetricRandomToConeByBirthdayPunchingUnderTenPercentLoss) {
  const BirthdayTally t = birthday_runs(200, 20, 0.10);
  EXPECT_GE(t.within_12s, 14);
}

TEST(HolePunchMatrix, SymmetricRandomToSymmetricRandomGoesToTheRelayAtOnce) {
  const Outcome o = punch_between(8, kSymmetricRandom, kSymmetricRandom);
  ASSERT_TRUE(o.a_failed && o.b_failed);
  EXPECT_EQ(*o.a_failed, 0s);
  EXPECT_EQ(*o.b_failed, 0s);
  EXPECT_FALSE(o.a_direct || o.b_direct);
}

TEST(HolePunchMatrix, ConeToConeUnderTenPercentLoss) {
  for (uint64_t seed = 10; seed < 40; ++seed) {
    const Outcome o = punch_between(seed, kCone, kCone, 0.10);
    expect_direct_within(o, 1s, seed);
  }
}

TEST(HolePunchMatrix, SymmetricSequentialToConeUnderTenPercentLoss) {
  for (uint64_t seed = 40; seed < 60; ++seed) {
    const Outcome o = punch_between(seed, kSymmetricSequential, kCone, 0.10);
    expect_direct_within(o, 1s, seed);
  }
}

// --- Budget and safety -----------------------------------------------------------

// Both halves of a birthday attempt: the cone side's random guesses from its one
// socket, the symmetric side's probes from its spray sockets (each its own port).
// Measured on first attempts that found nothing (a hit adds triggered probes, which
// answer the peer's and are bounded by the ack rate instead).
TEST(HolePunch, StaysWithinItsProbeBudget) {
  int full_attempts = 0;
  for (uint64_t seed = 9; seed < 21 && full_attempts < 2; ++seed) {
    PunchWorld w(seed, 0.0);
    sim::NatConfig ca = kCone, cb = kSymmetricRandom;
    ca.public_ip = kNatA;
    cb.public_ip = kNatB;
    Node a(w.net, w.net.add_nat(ca).inside, kLanA, seed * 2), b(w.net, w.net.add_nat(cb).inside, kLanB, seed * 2 + 1);
    ASSERT_TRUE(discover(w.net, a) && discover(w.net, b));
    std::map<uint32_t, std::vector<TimePoint>> probes;  // by the sender's LAN address
    w.net.set_trace([&](const sim::TraceEvent& e) {
      if (e.kind == sim::TraceKind::kSend && (e.from.ip == kLanA || e.from.ip == kLanB) && e.bytes.size() > 2 &&
          e.bytes[2] == static_cast<uint8_t>(wire::PacketType::kPunchProbe)) {
        probes[e.from.ip].push_back(e.at);
      }
    });
    const TimePoint start = w.net.now();
    ASSERT_TRUE(start_punch(w.net, a, b));
    w.net.run_until(start + 4s);  // the whole first attempt (2.5 s) and its pause
    if (a.punch->state() == HolePunchState::kConnected) continue;
    ++full_attempts;
    EXPECT_EQ(a.punch->attempts(), 1u);
    ASSERT_EQ(probes.size(), 2u);
    for (const auto& [ip, sent] : probes) {
      EXPECT_LE(sent.size(), 256u) << "seed " << seed;
      EXPECT_GE(sent.size(), 200u) << "seed " << seed << ": the guesses and spray sockets were used";
      for (size_t i = 0; i < sent.size(); ++i) {
        size_t in_window = 0;
        for (size_t j = i; j < sent.size() && sent[j] - sent[i] < 1s; ++j) ++in_window;
        EXPECT_LE(in_window, 100u) << "at most 100 probes in any second";
      }
    }
  }
  EXPECT_EQ(full_attempts, 2);
}

TEST(HolePunch, ForgedProbesAndReplayedAcksCannotSteerThePath) {
  SeededRandom random(5);
  PunchOffer ours = offer_of(kConeProfile, {{CandidateKind::kReflexive, {kNatA, 1024}}});
  PunchOffer theirs = offer_of(kConeProfile, {{CandidateKind::kReflexive, {kNatB, 2000}}});
  ours.secret.fill(1);
  theirs.secret.fill(2);
  const auto keys = *derive_punch_keys(ours.secret, theirs.secret);
  const auto peer_keys = *derive_punch_keys(theirs.secret, ours.secret);
  HolePunch punch(random, keys, ours, theirs);
  punch.start(TimePoint{});
  punch.on_timer(TimePoint{});
  const auto out = punch.take_outbox();
  ASSERT_EQ(out.size(), 1u);
  const auto probe = *decode_punch(wire::PacketType::kPunchProbe, out[0].bytes);
  EXPECT_EQ(out[0].to, (Endpoint{kNatB, 2000}));

  const Endpoint attacker{Endpoint::make_ip(198, 51, 100, 66), 6666};
  // A valid ack for our probe, but sent from the attacker's address: refused.
  const Bytes ack = encode_punch(wire::PacketType::kPunchAck, peer_keys.mac_key,
                                 PunchMessage{keys.id, probe.nonce, peer_keys.local_role, attacker});
  EXPECT_TRUE(punch.on_datagram(TimePoint{} + 1ms, attacker, ack));
  EXPECT_FALSE(punch.result());
  // A probe under a wrong key: no ack, no new target.
  noise::Key wrong = peer_keys.mac_key;
  wrong[3] ^= 0x10;
  EXPECT_TRUE(punch.on_datagram(TimePoint{} + 2ms, attacker,
                                encode_punch(wire::PacketType::kPunchProbe, wrong, PunchMessage{keys.id, 5, peer_keys.local_role, {kNatA, 1024}})));
  EXPECT_TRUE(punch.take_outbox().empty());
  // Our own probe reflected back at us: ignored.
  EXPECT_TRUE(punch.on_datagram(TimePoint{} + 3ms, attacker, out[0].bytes));
  EXPECT_TRUE(punch.take_outbox().empty());
  EXPECT_EQ(punch.rejected(), 3u);
  // Another attempt's datagram is not ours at all.
  EXPECT_FALSE(punch.on_datagram(TimePoint{} + 4ms, attacker,
                                 encode_punch(wire::PacketType::kPunchAck, keys.mac_key, PunchMessage{keys.id + 1, 1, 1, attacker})));
  // The real ack, from where the probe went: the path.
  EXPECT_TRUE(punch.on_datagram(TimePoint{} + 40ms, {kNatB, 2000}, encode_punch(wire::PacketType::kPunchAck, peer_keys.mac_key,
                                 PunchMessage{keys.id, probe.nonce, peer_keys.local_role, {kNatA, 1024}})));
  ASSERT_TRUE(punch.result());
  EXPECT_EQ(punch.result()->remote, (Endpoint{kNatB, 2000}));
  EXPECT_EQ(punch.result()->rtt, 40ms);
}

TEST(HolePunch, StartDelayCentresTheFirstProbes) {
  EXPECT_EQ(punch_start_delay(120ms, true), 60ms);
  EXPECT_EQ(punch_start_delay(120ms, false), 0ms);
}

}  // namespace
}  // namespace koe::natsim
