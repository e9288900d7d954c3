// mac1 / mac2 and cookie replies: who can produce them, what they are bound to
// (responder key, source endpoint, the message answered), and their lifetime.
#include <gtest/gtest.h>

#include "net/cookie.hpp"
#include "net/random.hpp"

namespace koe {
namespace {

using namespace std::chrono_literals;

const Endpoint kSource{Endpoint::make_ip(127, 0, 0, 1), 40001};
const TimePoint kStart = TimePoint{} + 1000s;

noise::Key key_filled(uint8_t value) {
  noise::Key key;
  key.fill(value);
  return key;
}

Bytes initiation_bytes(uint8_t fill) {
  HandshakeInitiation message;
  message.sender_index = 77;
  message.ephemeral.fill(fill);
  return encode(message);
}

class CookieTest : public ::testing::Test {
 protected:
  noise::Key responder_key = key_filled(0xB0);
  CookieChecker checker{responder_key};
  CookieGenerator generator{responder_key};
  SeededRandom random{7};

  // Gives `generator` a cookie for kSource the way the network would.
  void obtain_cookie(TimePoint now) {
    Bytes message = initiation_bytes(1);
    generator.add_macs(message, now);
    const CookieReply reply = checker.make_reply(message, 77, kSource, now, random);
    ASSERT_TRUE(generator.consume_reply(reply, now));
  }
};

TEST_F(CookieTest, Mac1IsKeyedByTheResponderPublicKey) {
  Bytes message = initiation_bytes(1);
  EXPECT_FALSE(checker.check_mac1(message));  // zero mac1
  generator.add_macs(message, kStart);
  EXPECT_TRUE(checker.check_mac1(message));
  CookieChecker other(key_filled(0xC0));
  EXPECT_FALSE(other.check_mac1(message));
  for (size_t i = 0; i < mac1_offset(message.size()) + noise::kMacSize; ++i) {
    Bytes tampered = message;
    tampered[i] ^= 1;
    EXPECT_FALSE(checker.check_mac1(tampered)) << i;
  }
  EXPECT_FALSE(checker.check_mac1(ByteView{message}.first(10)));
}

TEST_F(CookieTest, Mac2NeedsACookieForThatSourceEndpoint) {
  Bytes message = initiation_bytes(2);
  generator.add_macs(message, kStart);
  EXPECT_FALSE(checker.check_mac2(message, kSource, kStart));  // no cookie yet
  obtain_cookie(kStart);
  generator.add_macs(message, kStart + 1s);
  EXPECT_TRUE(checker.check_mac1(message));
  EXPECT_TRUE(checker.check_mac2(message, kSource, kStart + 1s));
  EXPECT_FALSE(checker.check_mac2(message, Endpoint{kSource.ip, 40002}, kStart + 1s));
  EXPECT_FALSE(checker.check_mac2(message, Endpoint{kSource.ip + 1, 40001}, kStart + 1s));
}

TEST_F(CookieTest, CookiesExpireWhenTheSecretRotates) {
  obtain_cookie(kStart);
  Bytes message = initiation_bytes(3);
  generator.add_macs(message, kStart + 119s);
  EXPECT_TRUE(checker.check_mac2(message, kSource, kStart + 119s));
  EXPECT_FALSE(checker.check_mac2(message, kSource, kStart + 120s));
  // The generator stops using a stale cookie too (mac2 goes back to zeros).
  generator.add_macs(message, kStart + 121s);
  const ByteView mac2 = ByteView{message}.subspan(mac2_offset(message.size()));
  EXPECT_TRUE(std::all_of(mac2.begin(), mac2.end(), [](uint8_t b) { return b == 0; }));
  // A new reply mints a cookie under a new secret.
  obtain_cookie(kStart + 130s);
  generator.add_macs(message, kStart + 131s);
  EXPECT_TRUE(checker.check_mac2(message, kSource, kStart + 131s));
}

TEST_F(CookieTest, ReplyIsBoundToTheMessageItAnswers) {
  Bytes first = initiation_bytes(4);
  generator.add_macs(first, kStart);
  const CookieReply reply = checker.make_reply(first, 77, kSource, kStart, random);
  Bytes second = initiation_bytes(5);
  generator.add_macs(second, kStart);  // the generator moved on to another message
  EXPECT_FALSE(generator.consume_reply(reply, kStart));
}

TEST_F(CookieTest, ForgedOrReplayedRepliesAreRejected) {
  Bytes message = initiation_bytes(6);
  generator.add_macs(message, kStart);
  CookieReply reply = checker.make_reply(message, 77, kSource, kStart, random);
  CookieReply forged = reply;
  forged.encrypted_cookie[0] ^= 1;
  EXPECT_FALSE(generator.consume_reply(forged, kStart));
  CookieChecker impostor(key_filled(0xC0));  // not the responder we talk to
  EXPECT_FALSE(
      generator.consume_reply(impostor.make_reply(message, 77, kSource, kStart, random), kStart));
  EXPECT_TRUE(generator.consume_reply(reply, kStart));
  EXPECT_FALSE(generator.consume_reply(reply, kStart));  // one reply per message
}

TEST_F(CookieTest, ReplyIsSmallerThanTheMessagesItAnswers) {
  Bytes message = initiation_bytes(7);
  generator.add_macs(message, kStart);
  const Bytes reply = encode(checker.make_reply(message, 77, kSource, kStart, random));
  EXPECT_EQ(reply.size(), kCookieReplySize);
  EXPECT_LT(reply.size(), kResponseSize);
  EXPECT_LT(reply.size(), kInitiationSize);
  EXPECT_TRUE(decode_cookie_reply(reply));
}

}  // namespace
}  // namespace koe
