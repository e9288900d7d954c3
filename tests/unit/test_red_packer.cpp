// RedPacker: which earlier frames ride along, in what order, and what is left out.
#include <gtest/gtest.h>

#include "audio/red_packer.hpp"

namespace koe {
namespace {

Bytes opus_frame(size_t size, uint8_t fill) {
  Bytes b(size, fill);
  b[0] = 9 << 3;  // SILK wideband 20 ms
  return b;
}

VoiceFrame frame(uint16_t sequence, uint32_t timestamp, size_t size = 60) {
  VoiceFrame f;
  f.sequence = sequence;
  f.timestamp = timestamp;
  f.opus = opus_frame(size, uint8_t(sequence));
  return f;
}

TEST(RedPacker, DepthZeroAddsNothing) {
  RedPacker red;
  for (uint16_t i = 0; i < 5; ++i) {
    VoiceFrame f = frame(i, i * 960u);
    red.pack(f, 0);
    EXPECT_TRUE(f.redundancy.empty());
  }
}

TEST(RedPacker, CopiesTheNewestEarlierFramesNewestFirst) {
  RedPacker red;
  VoiceFrame f;
  for (uint16_t i = 0; i < 4; ++i) {
    f = frame(i, 1000 + i * 960u);
    red.pack(f, 2);
  }
  ASSERT_EQ(f.redundancy.size(), 2u);
  EXPECT_EQ(f.redundancy[0].timestamp_offset, 960);
  EXPECT_EQ(f.redundancy[0].opus, opus_frame(60, 2));
  EXPECT_EQ(f.redundancy[1].timestamp_offset, 1920);
  EXPECT_EQ(f.redundancy[1].opus, opus_frame(60, 1));
  EXPECT_TRUE(encode_voice_frame(f));
}

TEST(RedPacker, FirstFramesCarryWhatThereIs) {
  RedPacker red;
  VoiceFrame f = frame(0, 0);
  red.pack(f, 3);
  EXPECT_TRUE(f.redundancy.empty());
  f = frame(1, 960);
  red.pack(f, 3);
  EXPECT_EQ(f.redundancy.size(), 1u);
}

TEST(RedPacker, DepthIsClampedToTheFormatsLimit) {
  RedPacker red;
  VoiceFrame f;
  for (uint16_t i = 0; i < 8; ++i) {
    f = frame(i, i * 960u);
    red.pack(f, 10);
  }
  EXPECT_EQ(f.redundancy.size(), kMaxRedundantFrames);
}

TEST(RedPacker, FramesBeforeALongSilenceAreNotCopied) {
  RedPacker red;
  VoiceFrame f = frame(0, 0);
  red.pack(f, 2);
  f = frame(1, 960);
  red.pack(f, 2);
  f = frame(2, 960 + 48000 * 2);  // two seconds of DTX later
  red.pack(f, 2);
  EXPECT_TRUE(f.redundancy.empty());
}

TEST(RedPacker, OffsetsSurviveTheTimestampWrap) {
  RedPacker red;
  VoiceFrame f = frame(0, 0xFFFFFFFFu - 500);
  red.pack(f, 1);
  f = frame(1, 0xFFFFFFFFu - 500 + 960);  // wraps past zero
  red.pack(f, 1);
  ASSERT_EQ(f.redundancy.size(), 1u);
  EXPECT_EQ(f.redundancy[0].timestamp_offset, 960);
}

TEST(RedPacker, CopiesThatWouldOverflowTheDatagramAreLeftOut) {
  RedPacker red;
  VoiceFrame f;
  for (uint16_t i = 0; i < 4; ++i) {
    f = frame(i, i * 960u, kMaxVoicePayloadBytes);
    red.pack(f, 3);
  }
  // Two 400-byte copies and the 400-byte primary would pass 1000 bytes: one copy fits.
  EXPECT_EQ(f.redundancy.size(), 1u);
  const auto bytes = encode_voice_frame(f);
  ASSERT_TRUE(bytes);
  EXPECT_LE(bytes->size(), kMaxVoiceFrameBytes);
}

}  // namespace
}  // namespace koe
