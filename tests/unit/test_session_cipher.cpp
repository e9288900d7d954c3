// Session data: AEAD seal/open with counter nonces, counter reconstruction,
// tampered / truncated / replayed / duplicated / reordered datagrams, rekeying
// under continuous traffic, key expiry, roaming and the ENet framing.
#include <gtest/gtest.h>

#include <set>

#include "net/session_cipher.hpp"
#include "tests/unit/secure_session_harness.hpp"

namespace koe {
namespace {

using namespace std::chrono_literals;
using test::Arrival;
using test::TestNetwork;
using Kind = SessionEvent::Kind;

const Endpoint kA{Endpoint::make_ip(127, 0, 0, 1), 40001};
const Endpoint kA2{Endpoint::make_ip(127, 0, 1, 1), 50001};
const Endpoint kB{Endpoint::make_ip(127, 0, 0, 2), 40002};
const Endpoint kMallory{Endpoint::make_ip(127, 0, 0, 66), 6666};

TransportKeys keys_filled(uint8_t send, uint8_t receive) {
  TransportKeys keys;
  keys.send.fill(send);
  keys.receive.fill(receive);
  return keys;
}

struct CipherPair {
  SessionCipher alice{keys_filled(1, 2), 10, 20, TimePoint{}, true, 1000};
  SessionCipher bob{keys_filled(2, 1), 20, 10, TimePoint{}, false, 1000};

  Bytes seal(ByteView plaintext, FrameChannel channel = FrameChannel::kEnet) {
    Bytes frame;
    EXPECT_TRUE(alice.seal(plaintext, channel, frame));
    return frame;
  }
  std::optional<DropReason> open(ByteView frame, Bytes& out,
                                 FrameChannel channel = FrameChannel::kEnet) {
    const auto decoded = decode_sealed_frame(frame);
    if (!decoded) return DropReason::kMalformed;
    return bob.open(*decoded, channel, out);
  }
};

TEST(SessionCipher, SealedVoiceFrameCarriesTwentyBytesOfOverhead) {
  CipherPair pair;
  const Bytes voice = test::numbered_payload(1, 80);
  const Bytes frame = pair.seal(voice);
  EXPECT_EQ(frame.size(), voice.size() + 20);
  EXPECT_EQ(kSealedFrameOverhead, 20u);
  EXPECT_EQ(kSessionDataOverhead, 27u);  // with the header and receiver index
  Bytes out;
  EXPECT_EQ(pair.open(frame, out), std::nullopt);
  EXPECT_EQ(out, voice);
}

TEST(SessionCipher, CounterIsTheNonceAndTravelsInTheClear) {
  CipherPair pair;
  for (uint32_t i = 0; i < 3; ++i) {
    const Bytes frame = pair.seal(test::numbered_payload(i));
    EXPECT_EQ(decode_sealed_frame(frame)->counter_low, i);
  }
  // Same plaintext, different counters: different ciphertexts.
  EXPECT_NE(pair.seal(test::numbered_payload(7)), pair.seal(test::numbered_payload(7)));
}

TEST(SessionCipher, EveryTamperedByteIsRejectedAsBadMac) {
  CipherPair pair;
  const Bytes frame = pair.seal(test::numbered_payload(1));
  for (size_t i = 0; i < frame.size(); ++i) {
    Bytes tampered = frame;
    tampered[i] ^= 0x40;
    Bytes out;
    EXPECT_EQ(pair.open(tampered, out), DropReason::kBadMac) << i;
  }
  Bytes out;
  EXPECT_EQ(pair.open(frame, out), std::nullopt);  // the window was not moved by forgeries
}

TEST(SessionCipher, TruncatedFramesAreRejected) {
  CipherPair pair;
  const Bytes frame = pair.seal(test::numbered_payload(1));
  for (size_t n = 0; n < frame.size(); ++n) {
    Bytes out;
    const auto result = pair.open(ByteView{frame}.first(n), out);
    ASSERT_TRUE(result.has_value()) << n;
    EXPECT_TRUE(*result == DropReason::kMalformed || *result == DropReason::kBadMac) << n;
  }
}

TEST(SessionCipher, ReplayAndDuplicateAreRejectedReorderIsAccepted) {
  CipherPair pair;
  std::vector<Bytes> frames;
  for (uint32_t i = 0; i < 50; ++i) frames.push_back(pair.seal(test::numbered_payload(i)));
  Bytes out;
  for (int i = 49; i >= 0; --i) {  // fully reversed order
    EXPECT_EQ(pair.open(frames[i], out), std::nullopt) << i;
    EXPECT_EQ(out, test::numbered_payload(static_cast<uint32_t>(i)));
  }
  for (const auto& f : frames) EXPECT_EQ(pair.open(f, out), DropReason::kReplay);
}

TEST(SessionCipher, ChannelIsBoundSoFramesCannotSwitchPaths) {
  CipherPair pair;
  const Bytes frame = pair.seal(test::numbered_payload(1), FrameChannel::kEnet);
  Bytes out;
  EXPECT_EQ(pair.open(frame, out, FrameChannel::kSessionData), DropReason::kBadMac);
  EXPECT_EQ(pair.open(frame, out, FrameChannel::kEnet), std::nullopt);
}

TEST(SessionCipher, SendingStopsAtTheRejectLimit) {
  SessionCipher cipher(keys_filled(1, 2), 1, 2, TimePoint{}, true, 3);
  Bytes out;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(cipher.seal({}, FrameChannel::kEnet, out));
  const size_t size = out.size();
  EXPECT_FALSE(cipher.seal({}, FrameChannel::kEnet, out));
  EXPECT_EQ(out.size(), size);
}

TEST(CounterReconstruction, PicksTheCounterNearestTheReference) {
  constexpr uint64_t k32 = uint64_t{1} << 32;
  EXPECT_EQ(reconstruct_counter(0, 0), 0u);
  EXPECT_EQ(reconstruct_counter(0, 5), 5u);
  EXPECT_EQ(reconstruct_counter(0, 0xFFFFFFFF), 0xFFFFFFFFu);     // cannot go below zero
  EXPECT_EQ(reconstruct_counter(k32 - 10, 3), k32 + 3);           // ahead, across the wrap
  EXPECT_EQ(reconstruct_counter(k32 + 3, 0xFFFFFFF0), k32 - 16);  // late, from before the wrap
  EXPECT_EQ(reconstruct_counter(5 * k32 + 100, 90), 5 * k32 + 90);
  EXPECT_EQ(reconstruct_counter(5 * k32 + 100, 100 + (1u << 30)), 5 * k32 + 100 + (1u << 30));
  const uint64_t top = std::numeric_limits<uint64_t>::max() - 5;
  EXPECT_EQ(reconstruct_counter(top, 0), top - 0xFFFFFFFA);  // no overflow near the top
}

class SessionOverNetwork : public ::testing::Test {
 protected:
  static SessionManagerConfig fast_rekey() {
    SessionManagerConfig config = TestNetwork::default_config();
    config.limits.rekey_after_time = 2s;
    config.limits.responder_rekey_delay = 1s;
    config.limits.reject_after_time = 3s;
    config.limits.previous_key_grace = 1s;
    return config;
  }

  void establish() {
    ASSERT_TRUE(a.manager.connect(net.now(), b.key(), kB));
    ASSERT_TRUE(net.run_until_true(
        [&] { return a.manager.established(b.key()) && b.manager.established(a.key()); }, 5s));
  }

  TestNetwork net;
  test::TestNode& a = net.add(1, kA, fast_rekey());
  test::TestNode& b = net.add(2, kB, fast_rekey());
};

TEST_F(SessionOverNetwork, DamagedDuplicatedAndReorderedDatagramsAreHandled) {
  establish();
  // Each data datagram from A: #0 mod 5 tampered, #1 truncated, #2 duplicated,
  // #3 delayed behind the next ones, #4 plain.
  uint32_t n = 0;
  net.set_link([&](const Endpoint& from, const OutDatagram& d) {
    std::vector<Arrival> out;
    if (from != kA || test::type_of(d.bytes) != wire::PacketType::kSessionData) {
      out.push_back({5ms, d.bytes});
      return out;
    }
    Bytes bytes = d.bytes;
    switch (n++ % 5) {
      case 0:
        bytes[bytes.size() / 2] ^= 0x01;
        out.push_back({5ms, bytes});
        break;
      case 1:
        bytes.resize(10);
        out.push_back({5ms, bytes});
        break;
      case 2:
        out.push_back({5ms, bytes});
        out.push_back({6ms, bytes});
        break;
      case 3: out.push_back({200ms, bytes}); break;
      default: out.push_back({5ms, bytes}); break;
    }
    return out;
  });
  const DropCounters before = b.manager.drops();
  for (uint32_t i = 0; i < 100; ++i) {
    a.manager.send(net.now(), b.key(), test::numbered_payload(i));
    net.run_for(20ms);
  }
  net.run_for(1s);
  std::set<Bytes> expected;
  for (uint32_t i = 0; i < 100; ++i) {
    if (i % 5 >= 2) expected.insert(test::numbered_payload(i));
  }
  const auto got = b.data();
  EXPECT_EQ(got.size(), 60u);  // each intact datagram exactly once
  EXPECT_EQ(std::set<Bytes>(got.begin(), got.end()), expected);
  EXPECT_EQ(b.manager.drops()[DropReason::kBadMac] - before[DropReason::kBadMac], 20u);
  EXPECT_EQ(b.manager.drops()[DropReason::kMalformed] - before[DropReason::kMalformed], 20u);
  EXPECT_EQ(b.manager.drops()[DropReason::kReplay] - before[DropReason::kReplay], 20u);
}

TEST_F(SessionOverNetwork, RekeyUnderContinuousTrafficLosesNothing) {
  establish();
  // 50 packets a second each way for 20 s (about seven rekeys), 30 ms latency.
  net.set_link([](const Endpoint&, const OutDatagram& d) {
    return std::vector<Arrival>{{30ms, d.bytes}};
  });
  constexpr uint32_t kPackets = 1000;
  for (uint32_t i = 0; i < kPackets; ++i) {
    ASSERT_TRUE(a.manager.send(net.now(), b.key(), test::numbered_payload(i)));
    ASSERT_TRUE(b.manager.send(net.now(), a.key(), test::numbered_payload(i + kPackets)));
    net.run_for(20ms);
  }
  net.run_for(1s);
  const auto at_b = b.data(), at_a = a.data();
  ASSERT_EQ(at_b.size(), kPackets);
  ASSERT_EQ(at_a.size(), kPackets);
  for (uint32_t i = 0; i < kPackets; ++i) {
    EXPECT_EQ(at_b[i], test::numbered_payload(i));
    EXPECT_EQ(at_a[i], test::numbered_payload(i + kPackets));
  }
  EXPECT_GE(a.count(Kind::kRekeyed), 6u);
  EXPECT_GE(b.count(Kind::kRekeyed), 6u);
  EXPECT_EQ(a.manager.drops().total(), 0u);
  EXPECT_EQ(b.manager.drops().total(), 0u);
}

TEST_F(SessionOverNetwork, RekeyAfterMessageCount) {
  SessionManagerConfig config = TestNetwork::default_config();
  config.limits.rekey_after_messages = 100;
  TestNetwork small;
  test::TestNode& x = small.add(1, kA, config);
  test::TestNode& y = small.add(2, kB, config);
  x.manager.connect(small.now(), y.key(), kB);
  for (uint32_t i = 0; i < 350; ++i) {
    x.manager.send(small.now(), y.key(), test::numbered_payload(i));
    small.run_for(10ms);
  }
  small.run_for(1s);
  EXPECT_EQ(y.data().size(), 350u);
  EXPECT_GE(x.count(Kind::kRekeyed), 3u);
  EXPECT_EQ(y.manager.drops().total(), 0u);
}

TEST_F(SessionOverNetwork, IdleKeysExpireAndTheNextSendHandshakesAgain) {
  establish();
  net.run_for(10s);  // past reject_after_time: every keypair is gone
  EXPECT_FALSE(a.manager.established(b.key()));
  EXPECT_FALSE(b.manager.established(a.key()));
  EXPECT_EQ(a.manager.next_timeout(), kNever);
  ASSERT_TRUE(b.manager.send(net.now(), a.key(), test::bytes_of({42})));
  net.run_for(1s);
  EXPECT_EQ(a.data(), std::vector<Bytes>{test::bytes_of({42})});
}

TEST_F(SessionOverNetwork, RoamingPeerKeepsItsCallOnlyAuthenticPacketsMoveIt) {
  establish();
  a.manager.send(net.now(), b.key(), test::bytes_of({1}));
  net.run_for(50ms);
  // Mallory replays A's sealed datagram from her own address, and sends junk
  // with A's session index: B's idea of A's endpoint must not move.
  Bytes last_from_a;
  net.set_link([&](const Endpoint& from, const OutDatagram& d) {
    if (from == kA) last_from_a = d.bytes;
    return std::vector<Arrival>{{5ms, d.bytes}};
  });
  a.manager.send(net.now(), b.key(), test::bytes_of({2}));
  net.run_for(50ms);
  net.inject(kMallory, kB, last_from_a);
  Bytes forged = last_from_a;
  forged.back() ^= 1;
  net.inject(kMallory, kB, forged);
  EXPECT_EQ(b.manager.peer_endpoint(a.key()), kA);
  EXPECT_EQ(b.manager.drops()[DropReason::kReplay], 1u);
  EXPECT_EQ(b.manager.drops()[DropReason::kBadMac], 1u);

  a.endpoint = kA2;  // A's NAT mapping changes
  a.manager.send(net.now(), b.key(), test::bytes_of({3}));
  net.run_for(50ms);
  EXPECT_EQ(b.manager.peer_endpoint(a.key()), kA2);
  b.manager.send(net.now(), a.key(), test::bytes_of({4}));  // reaches A at its new address
  net.run_for(50ms);
  EXPECT_EQ(a.data(), std::vector<Bytes>{test::bytes_of({4})});
  EXPECT_EQ(b.data().size(), 3u);
}

TEST_F(SessionOverNetwork, UnknownSessionIndexIsCounted) {
  establish();
  Bytes datagram = session_data_prefix(0xDEADBEEF);
  datagram.resize(datagram.size() + kSealedFrameOverhead + 10, 0xAA);
  net.inject(kMallory, kB, datagram);
  EXPECT_EQ(b.manager.drops()[DropReason::kUnknownSession], 1u);
}

TEST_F(SessionOverNetwork, EnetFramingRoundTripsAcrossRekeys) {
  establish();
  uint32_t delivered = 0;
  std::vector<Bytes> late;  // frames held back past a rekey
  for (uint32_t i = 0; i < 500; ++i) {
    auto frame = a.manager.seal_frame(net.now(), b.key(), test::numbered_payload(i));
    if (!frame) {  // no usable keypair at this instant: the caller drops the voice frame
      net.run_for(20ms);
      continue;
    }
    if (i % 50 == 0) {
      late.push_back(*frame);
    } else {
      auto opened = b.manager.open_frame(net.now(), a.key(), *frame);
      ASSERT_TRUE(opened) << i;
      EXPECT_EQ(*opened, test::numbered_payload(i));
      ++delivered;
    }
    if (i % 50 == 10 && !late.empty()) {  // ten packets (200 ms) late: previous keypair
      ASSERT_TRUE(b.manager.open_frame(net.now(), a.key(), late.back()));
      ASSERT_FALSE(b.manager.open_frame(net.now(), a.key(), late.back()));  // replay
    }
    net.run_for(20ms);
  }
  EXPECT_GE(delivered, 480u);
  EXPECT_GE(a.count(Kind::kRekeyed), 3u);
  EXPECT_EQ(b.manager.drops()[DropReason::kReplay], late.size());
  EXPECT_EQ(b.manager.drops().total(), late.size());
  Bytes garbage(30, 0x55);
  EXPECT_FALSE(b.manager.open_frame(net.now(), a.key(), garbage));
  EXPECT_EQ(b.manager.drops()[DropReason::kBadMac], 1u);
}

TEST_F(SessionOverNetwork, OversizedPlaintextIsRefused) {
  establish();
  EXPECT_FALSE(a.manager.send(net.now(), b.key(), Bytes(kMaxSessionPayload + 1)));
  EXPECT_TRUE(a.manager.send(net.now(), b.key(), Bytes(kMaxSessionPayload)));
  const auto out = a.manager.take_outbox();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].bytes.size(), wire::kMaxDatagramSize);
}

}  // namespace
}  // namespace koe
