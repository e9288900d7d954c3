// Control-message codec: every message round-trips, the layout is the documented one,
// and malformed payloads are refused with the right reason (never a crash).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "app/control_messages.hpp"

namespace koe {
namespace {

std::vector<ControlMessage> one_of_each() {
  LossReport report{7, 12, 3, 1, 40, 5, 28};
  return {
      ContactRequest{"Ana", "Hi, it's Ana from the choir"},
      ContactResponse{true, "Bo"},
      ContactResponse{false, ""},
      PresenceUpdate{PresenceState::kDoNotDisturb},
      CallInvite{0x0123456789abcdefULL},
      CallRinging{1},
      CallAccept{2},
      CallDecline{3, DeclineReason::kNotAllowed},
      CallBusy{4},
      CallCancel{5},
      CallHangup{~0ULL},
      Ping{6, 99},
      Pong{6, 99},
      ReceiverReport{8, report, 1000, 20},
      Introduce{NodeId{{1, 2, 3}}, Bytes(kMaxSealedIntroductionBytes, 0xAB)},
      IntroductionFrom{NodeId{{9}}, Bytes{1, 2, 3}},
  };
}

Bytes encode(const ControlMessage& message) {
  auto bytes = encode_control_message(message);
  EXPECT_TRUE(bytes.has_value());
  return bytes.value_or(Bytes{});
}

DecodeError decode_error(const Bytes& payload) {
  auto decoded = decode_control_message(payload);
  EXPECT_FALSE(decoded.ok());
  return decoded.error();
}

TEST(ControlMessages, EveryMessageRoundTrips) {
  for (const ControlMessage& message : one_of_each()) {
    const Bytes bytes = encode(message);
    ASSERT_FALSE(bytes.empty());
    EXPECT_EQ(bytes[0], static_cast<uint8_t>(control_type(message)));
    auto decoded = decode_control_message(bytes);
    ASSERT_TRUE(decoded.ok()) << control_type_name(control_type(message)) << ": " << to_string(decoded.error());
    EXPECT_EQ(*decoded, message) << control_type_name(control_type(message));
  }
}

TEST(ControlMessages, LayoutIsTypeByteThenBigEndianBody) {
  EXPECT_EQ(encode(CallInvite{0x0102030405060708ULL}), (Bytes{0x10, 1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(encode(CallDecline{1, DeclineReason::kDoNotDisturb}), (Bytes{0x13, 0, 0, 0, 0, 0, 0, 0, 1, 2}));
  EXPECT_EQ(encode(PresenceUpdate{PresenceState::kAway}), (Bytes{0x03, 2}));
  EXPECT_EQ(encode(Ping{1, 0x0a0b0c0d}), (Bytes{0x20, 0, 0, 0, 0, 0, 0, 0, 1, 0x0a, 0x0b, 0x0c, 0x0d}));
  EXPECT_EQ(encode(ContactResponse{true, "B"}), (Bytes{0x02, 1, 0, 1, 'B'}));
}

TEST(ControlMessages, TypeNamesAreDistinct) {
  std::set<std::string_view> names;
  for (const ControlMessage& message : one_of_each()) names.insert(control_type_name(control_type(message)));
  EXPECT_EQ(names.size(), std::variant_size_v<ControlMessage>);
  EXPECT_EQ(names.count("unknown"), 0u);
  EXPECT_EQ(control_type_name(static_cast<ControlType>(0xEE)), "unknown");
}

TEST(ControlMessages, IntroductionsLongerThanTheLimitAreRefused) {
  EXPECT_FALSE(encode_control_message(Introduce{NodeId{}, Bytes(kMaxSealedIntroductionBytes + 1, 0)}).has_value());
  Bytes payload = encode(Introduce{NodeId{}, Bytes(10, 0)});
  payload[1 + kNodeIdSize] = 0xFF;  // the length prefix claims far more than the limit
  EXPECT_EQ(decode_error(payload), DecodeError::kOversized);
}

TEST(ControlMessages, EmptyUnknownAndOversizedPayloadsAreRefused) {
  EXPECT_EQ(decode_error({}), DecodeError::kTruncated);
  EXPECT_EQ(decode_error({0x00}), DecodeError::kUnknownType);
  EXPECT_EQ(decode_error({0x7f, 1, 2}), DecodeError::kUnknownType);
  Bytes huge(kMaxControlMessageSize + 1, 0);
  huge[0] = 0x10;
  EXPECT_EQ(decode_error(huge), DecodeError::kOversized);
}

TEST(ControlMessages, EveryTruncationOfEveryMessageIsRefused) {
  for (const ControlMessage& message : one_of_each()) {
    const Bytes bytes = encode(message);
    for (size_t length = 0; length < bytes.size(); ++length) {
      const Bytes prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length));
      EXPECT_FALSE(decode_control_message(prefix).ok())
          << control_type_name(control_type(message)) << " cut to " << length;
    }
  }
}

TEST(ControlMessages, TrailingBytesAreRefused) {
  for (const ControlMessage& message : one_of_each()) {
    Bytes bytes = encode(message);
    bytes.push_back(0);
    EXPECT_EQ(decode_error(bytes), DecodeError::kTrailingBytes) << control_type_name(control_type(message));
  }
}

TEST(ControlMessages, OutOfRangeFieldsAreRefused) {
  EXPECT_EQ(decode_error({0x03, 4}), DecodeError::kBadFieldValue);                          // presence state
  EXPECT_EQ(decode_error({0x02, 2, 0, 0}), DecodeError::kBadFieldValue);                    // accepted flag
  EXPECT_EQ(decode_error({0x13, 0, 0, 0, 0, 0, 0, 0, 1, 3}), DecodeError::kBadFieldValue);  // decline reason
}

TEST(ControlMessages, StringsMustBeBoundedWireText) {
  // Display name of 65 bytes: the length alone is refused.
  Bytes long_name{0x01, 0, static_cast<uint8_t>(kMaxPeerDisplayNameBytes + 1)};
  long_name.resize(long_name.size() + kMaxPeerDisplayNameBytes + 1, 'a');
  long_name.insert(long_name.end(), {0, 0});
  EXPECT_EQ(decode_error(long_name), DecodeError::kOversized);
  EXPECT_EQ(decode_error({0x01, 0, 1, 0xff, 0, 0}), DecodeError::kBadUtf8);  // not UTF-8
  EXPECT_EQ(decode_error({0x01, 0, 1, 0x00, 0, 0}), DecodeError::kBadUtf8);  // U+0000

  // The longest request fits in a control message.
  const ContactRequest longest{std::string(kMaxPeerDisplayNameBytes, 'n'),
                               std::string(kMaxContactRequestMessageBytes, 'm')};
  const auto bytes = encode_control_message(longest);
  ASSERT_TRUE(bytes.has_value());
  EXPECT_LE(bytes->size(), kMaxControlMessageSize);
  EXPECT_TRUE(decode_control_message(*bytes).ok());
}

TEST(ControlMessages, EncoderRefusesWhatTheDecoderWould) {
  EXPECT_FALSE(encode_control_message(ContactRequest{"", std::string(kMaxContactRequestMessageBytes + 1, 'm')}));
  EXPECT_FALSE(encode_control_message(ContactRequest{std::string(kMaxPeerDisplayNameBytes + 1, 'n'), ""}));
  EXPECT_FALSE(encode_control_message(ContactResponse{true, std::string("a\0b", 3)}));
  EXPECT_FALSE(encode_control_message(ContactRequest{"\xc3", ""}));  // truncated UTF-8
}

TEST(ControlMessages, MultibyteTextRoundTrips) {
  const ContactRequest request{"声", "こんにちは — 🎤"};
  auto decoded = decode_control_message(encode(request));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, ControlMessage{request});
}

}  // namespace
}  // namespace koe
