// VoiceFrame codec: round trips, and every kind of hostile input refused with a reason.
#include <gtest/gtest.h>

#include "audio/voice_frame.hpp"

namespace koe {
namespace {

// SILK wideband 20 ms, mono, one frame (TOC config 9, code 0), then `size` - 1 bytes.
Bytes opus_frame(size_t size, uint8_t fill = 0x5A) {
  Bytes b(size, fill);
  b[0] = 9 << 3;
  return b;
}

VoiceFrame full_frame() {
  VoiceFrame f;
  f.sequence = 0xBEEF;
  f.timestamp = 0xFFFFFF00;
  f.opus = opus_frame(61);
  f.redundancy = {{960, opus_frame(40, 1)}, {1920, opus_frame(50, 2)}, {3840, opus_frame(30, 3)}};
  f.report = LossReport{7, 26, 128, 3, 60, 12, 31};
  return f;
}

TEST(VoiceFrame, RoundTripsWithEverything) {
  const VoiceFrame f = full_frame();
  const auto bytes = encode_voice_frame(f);
  ASSERT_TRUE(bytes);
  const auto decoded = decode_voice_frame(*bytes);
  ASSERT_TRUE(decoded.ok()) << to_string(decoded.error());
  EXPECT_EQ(*decoded, f);
  EXPECT_EQ(encode_voice_frame(*decoded), bytes);  // canonical
}

TEST(VoiceFrame, RoundTripsBare) {
  VoiceFrame f;
  f.sequence = 1;
  f.timestamp = 960;
  f.opus = opus_frame(1);  // TOC only: the decoder conceals it
  const auto bytes = encode_voice_frame(f);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes->size(), 1u + 2 + 4 + 1);
  const auto decoded = decode_voice_frame(*bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, f);
}

TEST(VoiceFrame, EveryTruncationIsRefused) {
  const Bytes bytes = *encode_voice_frame(full_frame());
  // Any cut that leaves the primary empty or the redundant payloads short fails; a cut
  // inside the primary shortens a code-0 Opus packet, which is still valid Opus, so
  // only cuts before the primary are checked here.
  const size_t primary_start = bytes.size() - 61;
  for (size_t n = 0; n <= primary_start; ++n) {
    const auto decoded = decode_voice_frame(ByteView(bytes.data(), n));
    EXPECT_FALSE(decoded.ok()) << "accepted a cut at " << n;
  }
}

TEST(VoiceFrame, BadVersionAndReservedBitsAreRefused) {
  Bytes bytes = *encode_voice_frame(full_frame());
  Bytes v = bytes;
  v[0] |= 0x40;
  EXPECT_EQ(decode_voice_frame(v).error(), DecodeError::kBadVersion);
  Bytes r = bytes;
  r[0] |= 0x04;
  EXPECT_EQ(decode_voice_frame(r).error(), DecodeError::kBadFieldValue);
}

TEST(VoiceFrame, OversizedFramesAndPayloadsAreRefused) {
  Bytes huge(kMaxVoiceFrameBytes + 1, 0);
  EXPECT_EQ(decode_voice_frame(huge).error(), DecodeError::kOversized);

  VoiceFrame f = full_frame();
  f.opus = opus_frame(kMaxVoicePayloadBytes + 1);
  EXPECT_FALSE(encode_voice_frame(f));
  // The same payload smuggled in by hand.
  Bytes bytes = {0x00, 0, 1, 0, 0, 0, 0};
  const Bytes big = opus_frame(kMaxVoicePayloadBytes + 1);
  bytes.insert(bytes.end(), big.begin(), big.end());
  EXPECT_EQ(decode_voice_frame(bytes).error(), DecodeError::kOversized);
}

TEST(VoiceFrame, PayloadsMustBeOpus) {
  // Code 3 (arbitrary frame count) with no count byte is not a valid Opus packet.
  Bytes bytes = {0x00, 0, 1, 0, 0, 0, 0, (9 << 3) | 3};
  EXPECT_EQ(decode_voice_frame(bytes).error(), DecodeError::kBadFieldValue);
  // Empty primary.
  Bytes empty = {0x00, 0, 1, 0, 0, 0, 0};
  EXPECT_EQ(decode_voice_frame(empty).error(), DecodeError::kBadFieldValue);
  // A redundant copy of length zero.
  Bytes zero_copy = {0x01, 0, 1, 0, 0, 0x03, 0xC0, 0x03, 0xC0, 0x00, 0x00, 9 << 3};
  EXPECT_EQ(decode_voice_frame(zero_copy).error(), DecodeError::kBadFieldValue);
}

TEST(VoiceFrame, RedundantCopiesMustBeOlderAndNotOverlap) {
  VoiceFrame f = full_frame();
  f.redundancy[0].timestamp_offset = 0;  // same instant as the primary
  EXPECT_FALSE(encode_voice_frame(f));
  f = full_frame();
  f.redundancy[1].timestamp_offset = 1000;  // overlaps the copy after it (960 + 960 > 1000)
  EXPECT_FALSE(encode_voice_frame(f));
  f = full_frame();
  f.redundancy[2].timestamp_offset = 65000;  // older than any jitter buffer holds
  EXPECT_FALSE(encode_voice_frame(f));

  // And by hand: a valid frame whose first copy's offset is patched to overlap.
  Bytes bytes = *encode_voice_frame(full_frame());
  const size_t first_offset = 1 + 2 + 4 + kLossReportSize;
  bytes[first_offset] = 0;
  bytes[first_offset + 1] = 100;
  EXPECT_EQ(decode_voice_frame(bytes).error(), DecodeError::kBadFieldValue);
}

TEST(VoiceFrame, CopyLengthsBeyondTheDatagramAreTruncation) {
  Bytes bytes = *encode_voice_frame(full_frame());
  const size_t first_length = 1 + 2 + 4 + kLossReportSize + 2;
  bytes[first_length] = 0x03;  // 0x03xx bytes: far more than there is
  EXPECT_EQ(decode_voice_frame(bytes).error(), DecodeError::kTruncated);
}

}  // namespace
}  // namespace koe
