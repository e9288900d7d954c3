// The handshake: Noise_IK transcript, mutual authentication, wrong and
// impersonated keys, replayed initiations, retransmission with backoff, cookies
// under load and per-source rate limits, on a virtual-time loopback.
#include <gtest/gtest.h>

#include "net/handshake.hpp"
#include "tests/unit/secure_session_harness.hpp"

namespace koe {
namespace {

using namespace std::chrono_literals;
using test::TestNetwork;
using Kind = SessionEvent::Kind;

const Endpoint kA{Endpoint::make_ip(127, 0, 0, 1), 40001};
const Endpoint kB{Endpoint::make_ip(127, 0, 0, 2), 40002};
const Endpoint kC{Endpoint::make_ip(127, 0, 0, 3), 40003};

LocalStatic local_of(const Identity& identity) {
  return *LocalStatic::from_identity(identity.public_key(), test::secret_of(identity));
}

noise::Key key_filled(uint8_t value) {
  noise::Key key;
  key.fill(value);
  return key;
}

TEST(HandshakeCore, BothSidesDeriveMatchingKeysAndLearnIdentities) {
  const Identity a = test::identity_from_number(1), b = test::identity_from_number(2);
  const LocalStatic la = local_of(a), lb = local_of(b);
  const Timestamp ts = tai64n(1000s);
  auto initiator = InitiatorHandshake::start(la, b.public_key(), 7, ts, key_filled(0x11));
  ASSERT_TRUE(initiator);
  auto responder = ResponderHandshake::consume(lb, initiator->message());
  ASSERT_TRUE(responder);
  EXPECT_EQ(responder->peer_identity(), a.public_key());
  EXPECT_EQ(responder->timestamp(), ts);
  EXPECT_EQ(responder->peer_index(), 7u);
  auto reply = responder->respond(9, key_filled(0x22));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->message.receiver_index, 7u);
  auto keys = initiator->consume_response(la, reply->message);
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->send, reply->keys.receive);
  EXPECT_EQ(keys->receive, reply->keys.send);
  EXPECT_NE(keys->send, keys->receive);
}

TEST(HandshakeCore, FreshEphemeralsGiveFreshKeys) {
  const Identity a = test::identity_from_number(1), b = test::identity_from_number(2);
  const LocalStatic la = local_of(a), lb = local_of(b);
  auto run = [&](uint8_t seed) {
    auto i = InitiatorHandshake::start(la, b.public_key(), 1, tai64n(1s), key_filled(seed));
    auto r = ResponderHandshake::consume(lb, i->message());
    auto reply = r->respond(2, key_filled(static_cast<uint8_t>(seed + 1)));
    return i->consume_response(la, reply->message)->send;
  };
  EXPECT_NE(run(0x10), run(0x30));
}

TEST(HandshakeCore, InitiationForAnotherResponderIsRejected) {
  const Identity a = test::identity_from_number(1), b = test::identity_from_number(2),
                 c = test::identity_from_number(3);
  auto initiator =
      InitiatorHandshake::start(local_of(a), b.public_key(), 1, tai64n(1s), key_filled(5));
  const auto at_c = ResponderHandshake::consume(local_of(c), initiator->message());
  ASSERT_FALSE(at_c);
  EXPECT_EQ(at_c.error(), DropReason::kBadMac);
}

TEST(HandshakeCore, ImpersonatedStaticKeyIsRejected) {
  // Mallory sends A's public identity key but can only do DH with her own secret.
  const Identity a = test::identity_from_number(1), b = test::identity_from_number(2),
                 mallory = test::identity_from_number(4);
  LocalStatic forged = local_of(mallory);
  forged.identity_public = a.public_key();
  auto initiator = InitiatorHandshake::start(forged, b.public_key(), 1, tai64n(1s), key_filled(5));
  ASSERT_TRUE(initiator);
  const auto at_b = ResponderHandshake::consume(local_of(b), initiator->message());
  ASSERT_FALSE(at_b);
  EXPECT_EQ(at_b.error(), DropReason::kBadMac);
}

TEST(HandshakeCore, ResponseFromImpostorResponderIsRejected) {
  // Mallory answers A's initiation (meant for B) with a response of her own.
  const Identity a = test::identity_from_number(1), b = test::identity_from_number(2),
                 mallory = test::identity_from_number(4);
  auto initiator =
      InitiatorHandshake::start(local_of(a), b.public_key(), 1, tai64n(1s), key_filled(5));
  auto own =
      InitiatorHandshake::start(local_of(a), mallory.public_key(), 1, tai64n(2s), key_filled(6));
  auto r = ResponderHandshake::consume(local_of(mallory), own->message());
  ASSERT_TRUE(r);
  const auto reply = r->respond(2, key_filled(7));
  const auto keys = initiator->consume_response(local_of(a), reply->message);
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error(), DropReason::kBadMac);
}

TEST(HandshakeCore, LocalStaticRejectsMismatchedKeyPair) {
  const Identity a = test::identity_from_number(1), b = test::identity_from_number(2);
  EXPECT_FALSE(LocalStatic::from_identity(a.public_key(), test::secret_of(b)));
}

TEST(HandshakeCore, Tai64nOrdersLikeTime) {
  EXPECT_LT(tai64n(1s), tai64n(1s + 1us));
  EXPECT_LT(tai64n(999'999us), tai64n(1s));
  EXPECT_LT(tai64n(59s), tai64n(std::chrono::hours(24 * 365 * 60)));
}

TEST(HandshakeMessages, EveryMessageFitsOneDatagram) {
  EXPECT_EQ(kInitiationSize, 147u);
  EXPECT_EQ(kResponseSize, 91u);
  EXPECT_EQ(kCookieReplySize, 63u);
  EXPECT_EQ(encode(HandshakeInitiation{}).size(), kInitiationSize);
  EXPECT_EQ(encode(HandshakeResponse{}).size(), kResponseSize);
  EXPECT_EQ(encode(CookieReply{}).size(), kCookieReplySize);
  EXPECT_LE(kInitiationSize, wire::kMaxDatagramSize);
}

TEST(HandshakeMessages, TruncatedOrPaddedMessagesAreRejected) {
  const Bytes bytes = encode(HandshakeInitiation{});
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(decode_handshake_initiation(ByteView{bytes}.first(n))) << n;
  }
  Bytes padded = bytes;
  padded.push_back(0);
  EXPECT_EQ(decode_handshake_initiation(padded).error(), DecodeError::kTrailingBytes);
  EXPECT_EQ(decode_handshake_response(bytes).error(), DecodeError::kWrongType);
}

class HandshakeOverNetwork : public ::testing::Test {
 protected:
  TestNetwork net;
  test::TestNode& a = net.add(1, kA);
  test::TestNode& b = net.add(2, kB);

  bool both_established() {
    return a.manager.established(b.key()) && b.manager.established(a.key());
  }
};

TEST_F(HandshakeOverNetwork, BothSidesAuthenticatedAndDataFlows) {
  ASSERT_TRUE(a.manager.connect(net.now(), b.key(), kB));
  ASSERT_TRUE(net.run_until_true([&] { return both_established(); }, 5s));
  ASSERT_EQ(a.count(Kind::kEstablished), 1u);
  ASSERT_EQ(b.count(Kind::kEstablished), 1u);
  EXPECT_EQ(a.events.front().peer, b.key());
  EXPECT_EQ(b.events.front().peer, a.key());  // B learnt who called from the handshake
  EXPECT_EQ(b.manager.peer_endpoint(a.key()), kA);

  ASSERT_TRUE(a.manager.send(net.now(), b.key(), test::bytes_of({1, 2, 3})));
  ASSERT_TRUE(b.manager.send(net.now(), a.key(), test::bytes_of({4, 5})));
  net.run_for(100ms);
  EXPECT_EQ(b.data(), std::vector<Bytes>{test::bytes_of({1, 2, 3})});
  EXPECT_EQ(a.data(), std::vector<Bytes>{test::bytes_of({4, 5})});
  EXPECT_EQ(a.manager.drops().total(), 0u);
  EXPECT_EQ(b.manager.drops().total(), 0u);
}

TEST_F(HandshakeOverNetwork, DataSentBeforeTheHandshakeIsQueuedNotLost) {
  ASSERT_TRUE(a.manager.connect(net.now(), b.key(), kB));
  for (uint32_t i = 0; i < 10; ++i)
    ASSERT_TRUE(a.manager.send(net.now(), b.key(), test::numbered_payload(i)));
  ASSERT_TRUE(net.run_until_true([&] { return b.data().size() == 10; }, 5s));
  for (uint32_t i = 0; i < 10; ++i) EXPECT_EQ(b.data()[i], test::numbered_payload(i));
}

TEST_F(HandshakeOverNetwork, CallerExpectingAnotherKeyNeverEstablishes) {
  // A believes kB belongs to C's identity: B cannot answer (mac1 is keyed to C).
  const Identity c = test::identity_from_number(3);
  ASSERT_TRUE(a.manager.connect(net.now(), c.public_key(), kB));
  net.run_for(60s);
  EXPECT_FALSE(a.manager.established(c.public_key()));
  EXPECT_EQ(a.count(Kind::kFailed), 1u);
  EXPECT_EQ(b.manager.drops()[DropReason::kBadMac], 8u);  // every initiation, before any DH
  EXPECT_EQ(b.manager.peer_count(), 0u);
}

TEST_F(HandshakeOverNetwork, ReplayedInitiationIsRejected) {
  Bytes captured;
  net.set_link([&](const Endpoint&, const OutDatagram& d) {
    if (test::type_of(d.bytes) == wire::PacketType::kHandshakeInitiation) captured = d.bytes;
    return std::vector<test::Arrival>{{5ms, d.bytes}};
  });
  a.manager.connect(net.now(), b.key(), kB);
  ASSERT_TRUE(net.run_until_true([&] { return both_established(); }, 5s));
  const auto responses_before = net.datagrams_sent();
  net.inject(kA, kB, captured);  // an attacker replays A's initiation
  EXPECT_EQ(b.manager.drops()[DropReason::kReplay], 1u);
  EXPECT_EQ(net.datagrams_sent(), responses_before);  // no response for a replay
  net.inject(kC, kB, captured);                       // ...also from elsewhere
  EXPECT_EQ(b.manager.drops()[DropReason::kReplay], 2u);
  EXPECT_EQ(b.manager.peer_endpoint(a.key()), kA);  // and the endpoint did not move
}

TEST_F(HandshakeOverNetwork, InitiationIsRetransmittedWithBackoffThenGivesUp) {
  std::vector<TimePoint> sent_at;
  net.set_link([&](const Endpoint&, const OutDatagram&) {
    sent_at.push_back(net.now());
    return std::vector<test::Arrival>{};  // everything is lost
  });
  a.manager.connect(net.now(), b.key(), kB);
  net.run_for(120s);
  const std::vector<Duration> expected_gaps = {250ms, 500ms, 1s, 2s, 4s, 8s, 8s};
  ASSERT_EQ(sent_at.size(), expected_gaps.size() + 1);
  for (size_t i = 0; i < expected_gaps.size(); ++i) {
    EXPECT_EQ(sent_at[i + 1] - sent_at[i], expected_gaps[i]) << i;
  }
  ASSERT_EQ(a.count(Kind::kFailed), 1u);
  EXPECT_EQ(a.manager.next_timeout(), kNever);
}

TEST_F(HandshakeOverNetwork, LostResponseIsRecoveredByRetransmission) {
  int responses = 0;
  net.set_link([&](const Endpoint&, const OutDatagram& d) {
    if (test::type_of(d.bytes) == wire::PacketType::kHandshakeResponse && responses++ == 0) {
      return std::vector<test::Arrival>{};
    }
    return std::vector<test::Arrival>{{5ms, d.bytes}};
  });
  a.manager.connect(net.now(), b.key(), kB);
  ASSERT_TRUE(net.run_until_true([&] { return both_established(); }, 5s));
  EXPECT_EQ(responses, 2);
  EXPECT_EQ(b.manager.drops().total(), 0u);  // the second initiation is newer, not a replay
}

TEST_F(HandshakeOverNetwork, SimultaneousConnectsBothEstablishAndCarryData) {
  a.manager.connect(net.now(), b.key(), kB);
  b.manager.connect(net.now(), a.key(), kA);
  ASSERT_TRUE(net.run_until_true([&] { return both_established(); }, 5s));
  net.run_for(1s);
  for (uint32_t i = 0; i < 20; ++i) {
    a.manager.send(net.now(), b.key(), test::numbered_payload(i));
    b.manager.send(net.now(), a.key(), test::numbered_payload(100 + i));
    net.run_for(20ms);
  }
  net.run_for(1s);
  EXPECT_EQ(b.data().size(), 20u);
  EXPECT_EQ(a.data().size(), 20u);
}

TEST_F(HandshakeOverNetwork, UnderLoadACookieProvesTheSourceBeforeAnyDh) {
  b.manager.set_under_load(true);
  std::vector<wire::PacketType> from_b;
  net.set_link([&](const Endpoint& from, const OutDatagram& d) {
    if (from == kB) from_b.push_back(test::type_of(d.bytes));
    return std::vector<test::Arrival>{{5ms, d.bytes}};
  });
  a.manager.connect(net.now(), b.key(), kB);
  ASSERT_TRUE(net.run_until_true([&] { return both_established(); }, 5s));
  ASSERT_GE(from_b.size(), 2u);
  EXPECT_EQ(from_b[0], wire::PacketType::kCookieReply);  // stateless retry first
  EXPECT_EQ(from_b[1], wire::PacketType::kHandshakeResponse);
  EXPECT_EQ(b.manager.drops()[DropReason::kCookieRequired], 1u);
  EXPECT_EQ(a.manager.drops().total(), 0u);
}

TEST_F(HandshakeOverNetwork, UnderLoadSpoofedSourcesGetOnlyCookies) {
  // Initiations replayed from addresses that cannot receive: only cookie replies
  // (smaller than the initiation) come back, and B does no DH for them.
  Bytes captured;
  net.set_link([&](const Endpoint&, const OutDatagram& d) {
    if (test::type_of(d.bytes) == wire::PacketType::kHandshakeInitiation) captured = d.bytes;
    return std::vector<test::Arrival>{};
  });
  a.manager.connect(net.now(), b.key(), kB);
  net.run_for(1ms);
  ASSERT_FALSE(captured.empty());
  b.manager.set_under_load(true);
  for (uint16_t port = 1; port <= 50; ++port) {
    b.manager.on_datagram(net.now(), Endpoint{Endpoint::make_ip(127, 9, 9, 9), port}, captured);
  }
  const auto out = b.manager.take_outbox();
  ASSERT_EQ(out.size(), 50u);
  for (const auto& d : out) {
    EXPECT_EQ(test::type_of(d.bytes), wire::PacketType::kCookieReply);
    EXPECT_LT(d.bytes.size(), captured.size());
  }
  EXPECT_EQ(b.manager.drops()[DropReason::kCookieRequired], 50u);
  EXPECT_EQ(b.manager.peer_count(), 0u);
}

TEST_F(HandshakeOverNetwork, HeavyHandshakeTrafficTurnsOnCookiesByItself) {
  SessionManagerConfig config = TestNetwork::default_config();
  config.load_threshold = 10;
  config.handshake_rate.burst = 1000;
  config.handshake_rate.per_second = 1000;
  test::TestNode& c = net.add(3, kC, config);
  Bytes captured;
  net.set_link([&](const Endpoint&, const OutDatagram& d) {
    if (test::type_of(d.bytes) == wire::PacketType::kHandshakeInitiation) captured = d.bytes;
    return std::vector<test::Arrival>{};
  });
  a.manager.connect(net.now(), c.key(), kC);
  net.run_for(1ms);
  for (int i = 0; i < 30; ++i) c.manager.on_datagram(net.now(), kA, captured);
  // 9 are processed (the first answered, the rest replays), then cookies are demanded.
  EXPECT_EQ(c.manager.drops()[DropReason::kReplay], 8u);
  EXPECT_EQ(c.manager.drops()[DropReason::kCookieRequired], 21u);
}

TEST_F(HandshakeOverNetwork, PerSourceRateLimitDropsFloodsBeforeDh) {
  Bytes captured;
  net.set_link([&](const Endpoint&, const OutDatagram& d) {
    if (test::type_of(d.bytes) == wire::PacketType::kHandshakeInitiation) captured = d.bytes;
    return std::vector<test::Arrival>{};
  });
  a.manager.connect(net.now(), b.key(), kB);
  net.run_for(1ms);
  for (int i = 0; i < 20; ++i) b.manager.on_datagram(net.now(), kA, captured);
  // Burst 5: one answered, four replays, fifteen never reach the DH.
  EXPECT_EQ(b.manager.drops()[DropReason::kRateLimited], 15u);
  EXPECT_EQ(b.manager.drops()[DropReason::kReplay], 4u);
  // Another source has its own bucket.
  b.manager.on_datagram(net.now(), kC, captured);
  EXPECT_EQ(b.manager.drops()[DropReason::kRateLimited], 15u);
}

TEST_F(HandshakeOverNetwork, GarbageAndDamagedHandshakesAreCountedNeverCrash) {
  Bytes initiation, response;
  net.set_link([&](const Endpoint&, const OutDatagram& d) {
    if (test::type_of(d.bytes) == wire::PacketType::kHandshakeInitiation) initiation = d.bytes;
    if (test::type_of(d.bytes) == wire::PacketType::kHandshakeResponse) response = d.bytes;
    return std::vector<test::Arrival>{{5ms, d.bytes}};
  });
  a.manager.connect(net.now(), b.key(), kB);
  ASSERT_TRUE(net.run_until_true([&] { return both_established(); }, 5s));
  const DropCounters before = b.manager.drops();

  net.inject(kA, kB, ByteView{initiation}.first(50));  // truncated
  EXPECT_EQ(b.manager.drops()[DropReason::kMalformed], before[DropReason::kMalformed] + 1);
  Bytes flipped = initiation;
  flipped[20] ^= 1;  // covered by mac1
  net.inject(kA, kB, flipped);
  EXPECT_EQ(b.manager.drops()[DropReason::kBadMac], before[DropReason::kBadMac] + 1);
  net.inject(kA, kB, test::bytes_of({wire::kMagic, 9, 0x10}));  // another protocol version
  EXPECT_EQ(b.manager.drops()[DropReason::kMalformed], before[DropReason::kMalformed] + 2);

  net.inject(kB, kA, response);  // a duplicated response
  EXPECT_EQ(a.manager.drops()[DropReason::kReplay], 1u);
  EXPECT_TRUE(both_established());
}

}  // namespace
}  // namespace koe
