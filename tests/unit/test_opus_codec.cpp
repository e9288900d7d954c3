// Opus encoder and decoder as Koe configures them, and what inspect_opus_packet reads
// from packets: frame lengths, DTX in silence, the in-band FEC flag, hostile bytes.
#include <gtest/gtest.h>

#include <opus/opus.h>

#include <cmath>
#include <set>

#include "audio/opus_decoder.hpp"
#include "audio/opus_encoder.hpp"
#include "audio/opus_packet.hpp"
#include "audio/resampler.hpp"
#include "tests/sim/speech_synth.hpp"

namespace koe {
namespace {

std::vector<Bytes> encode_all(OpusVoiceEncoder& encoder, const std::vector<Sample>& pcm, int* dtx_frames = nullptr) {
  std::vector<Bytes> packets;
  const size_t n = encoder.frame_samples();
  for (size_t at = 0; at + n <= pcm.size(); at += n) {
    const auto packet = encoder.encode(std::span<const Sample>(pcm).subspan(at, n));
    if (packet) {
      packets.emplace_back(packet->begin(), packet->end());
    } else if (dtx_frames) {
      ++*dtx_frames;
    }
  }
  return packets;
}

TEST(OpusCodec, TwentyAndTenMillisecondFrames) {
  const auto speech = sim::synthesize_speech(2.0, 1);
  for (const FrameLength length : {FrameLength::k20ms, FrameLength::k10ms}) {
    OpusEncoderConfig config;
    config.frame = length;
    config.dtx = false;
    OpusVoiceEncoder encoder(config);
    OpusVoiceDecoder decoder;
    const auto packets = encode_all(encoder, speech);
    ASSERT_EQ(packets.size(), speech.size() / frame_samples(length));
    std::vector<Sample> out(kMaxFrameSamples);
    for (const Bytes& p : packets) {
      const auto info = inspect_opus_packet(p);
      ASSERT_TRUE(info);
      EXPECT_EQ(size_t(info->samples), frame_samples(length));
      EXPECT_LE(p.size(), kMaxEncodedFrameBytes);
      EXPECT_TRUE(decoder.decode(p, out));
    }
  }
}

TEST(OpusCodec, WrongFrameLengthIsAProgrammingError) {
  OpusVoiceEncoder encoder;
  std::vector<Sample> pcm(100);
  EXPECT_THROW(encoder.encode(pcm), std::invalid_argument);
}

TEST(OpusCodec, SilenceGoesQuietWithDtxAndRefreshesComfortNoise) {
  OpusVoiceEncoder encoder;  // DTX on by default
  std::vector<Sample> silence(kSampleRate * 3, 0);
  int dtx_frames = 0;
  const auto packets = encode_all(encoder, silence, &dtx_frames);
  EXPECT_GT(dtx_frames, 100);                // most of 150 frames are not sent
  EXPECT_GE(packets.size(), 5u);              // but a refresh every 400 ms is
  for (const Bytes& p : packets) {
    const auto info = inspect_opus_packet(p);
    ASSERT_TRUE(info);
    EXPECT_FALSE(info->voice_active);
  }
}

TEST(OpusCodec, SpeechIsMarkedActive) {
  OpusEncoderConfig config;
  config.dtx = false;
  OpusVoiceEncoder encoder(config);
  const auto packets = encode_all(encoder, sim::synthesize_speech(4.0, 2));
  int active = 0;
  for (const Bytes& p : packets) active += inspect_opus_packet(p)->voice_active ? 1 : 0;
  EXPECT_GT(active, int(packets.size()) / 2);
}

TEST(OpusCodec, FecFlagFollowsTheSettings) {
  const auto speech = sim::synthesize_speech(4.0, 3);
  for (const bool fec : {false, true}) {
    OpusEncoderConfig config;
    config.dtx = false;
    config.settings = {24000, fec, 10};
    OpusVoiceEncoder encoder(config);
    int with_fec = 0, active = 0;
    for (const Bytes& p : encode_all(encoder, speech)) {
      const auto info = *inspect_opus_packet(p);
      with_fec += info.carries_fec ? 1 : 0;
      active += info.voice_active ? 1 : 0;
    }
    if (fec) {
      // libopus codes FEC for frames after an active one.
      EXPECT_GT(with_fec, active * 8 / 10);
    } else {
      EXPECT_EQ(with_fec, 0);
    }
  }
}

// Full band at the default bitrate is hybrid (SILK + CELT); the 16 kHz speech band goes
// to the second state: SILK wideband alone, at the speech-band complexity, decoded at
// 48 kHz to whole frames like any packet. The two states take turns without trouble.
TEST(OpusCodec, SpeechBandIsCodedAsSilkWideband) {
  const auto speech = sim::synthesize_speech(2.0, 5);
  const auto band = resample(speech, kSampleRate, kSpeechBandRate);
  OpusEncoderConfig config;
  config.dtx = false;
  OpusVoiceEncoder encoder(config);
  ASSERT_EQ(encoder.speech_band_frame_samples() * 3, encoder.frame_samples());
  const auto bandwidths = [](const std::vector<Bytes>& packets) {
    std::set<int> seen;
    for (const Bytes& p : packets) seen.insert(opus_packet_get_bandwidth(p.data()));
    return seen;
  };
  EXPECT_EQ(bandwidths(encode_all(encoder, speech)), std::set<int>{OPUS_BANDWIDTH_FULLBAND});
  EXPECT_EQ(encoder.complexity(), config.complexity);

  std::vector<Bytes> wideband;
  const size_t n = encoder.speech_band_frame_samples();
  for (size_t at = 0; at + n <= band.size(); at += n) {
    const auto packet = encoder.encode(std::span<const Sample>(band).subspan(at, n));
    ASSERT_TRUE(packet);
    wideband.emplace_back(packet->begin(), packet->end());
  }
  EXPECT_EQ(wideband.size(), speech.size() / encoder.frame_samples());
  EXPECT_EQ(bandwidths(wideband), std::set<int>{OPUS_BANDWIDTH_WIDEBAND});
  EXPECT_EQ(encoder.complexity(), OpusVoiceEncoder::kSpeechBandComplexity);
  OpusVoiceDecoder decoder;
  std::vector<Sample> out(kDefaultFrameSamples);
  for (const Bytes& p : wideband) {
    EXPECT_LT(p[0] >> 3, 12) << "SILK-only TOC configs are 0..11";
    EXPECT_EQ(inspect_opus_packet(p)->samples, int(kDefaultFrameSamples));
    EXPECT_TRUE(decoder.decode(p, out));
  }
  EXPECT_EQ(bandwidths(encode_all(encoder, speech)), std::set<int>{OPUS_BANDWIDTH_FULLBAND});
  EXPECT_EQ(encoder.complexity(), config.complexity);
  EXPECT_THROW(encoder.encode(std::span<const Sample>(band).first(n + 1)), std::invalid_argument);
}

TEST(OpusCodec, SettingsAreClampedToTheSpeechRange) {
  OpusVoiceEncoder encoder;
  encoder.apply({8000, true, 150});
  EXPECT_EQ(encoder.settings().bitrate_bps, kMinVoiceBitrate);
  EXPECT_EQ(encoder.settings().expected_loss_percent, 100);
  encoder.apply({200000, false, -3});
  EXPECT_EQ(encoder.settings().bitrate_bps, kMaxVoiceBitrate);
  EXPECT_EQ(encoder.settings().expected_loss_percent, 0);
}

TEST(OpusPacket, HostileBytesAreRefused) {
  EXPECT_FALSE(inspect_opus_packet({}));
  const Bytes code3_no_count = {(9 << 3) | 3};
  EXPECT_FALSE(inspect_opus_packet(code3_no_count));
  const Bytes code1_odd = {(9 << 3) | 1, 0x01, 0x02, 0x03};  // two equal frames need an even rest
  EXPECT_FALSE(inspect_opus_packet(code1_odd));
  const Bytes code3_zero_frames = {(9 << 3) | 3, 0x00};
  EXPECT_FALSE(inspect_opus_packet(code3_zero_frames));
  Bytes too_long(kMaxOpusPacketBytes + 1, 0);
  too_long[0] = 9 << 3;
  EXPECT_FALSE(inspect_opus_packet(too_long));
  // 6 x 20 ms = 120 ms: valid Opus, but longer than any frame Koe plays.
  const Bytes code3_six = {(9 << 3) | 3, 0x06, 1, 2, 3, 4, 5, 6};
  EXPECT_FALSE(inspect_opus_packet(code3_six));
}

TEST(OpusPacket, TocOnlyPacketIsSilence) {
  const Bytes toc = {9 << 3};
  const auto info = inspect_opus_packet(toc);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->samples, 960);
  EXPECT_FALSE(info->voice_active);
  EXPECT_FALSE(info->carries_fec);
}

TEST(OpusDecoder, ConcealmentAndFecFillWhatTheyAreAskedFor) {
  OpusEncoderConfig config;
  config.settings = {24000, true, 10};
  config.dtx = false;
  OpusVoiceEncoder encoder(config);
  const auto packets = encode_all(encoder, sim::synthesize_speech(1.0, 4));
  OpusVoiceDecoder decoder;
  std::vector<Sample> out(960);
  ASSERT_TRUE(decoder.decode(packets[0], out));
  decoder.conceal(out);
  EXPECT_TRUE(decoder.decode_fec(packets[2], out));
  std::vector<Sample> ragged(500, 1);  // not whole 2.5 ms granules
  EXPECT_FALSE(decoder.decode_fec(packets[3], ragged));
  decoder.conceal(ragged);  // the ragged tail is silence
  EXPECT_EQ(ragged.back(), 0);
  const Bytes junk = {(9 << 3) | 3};
  EXPECT_FALSE(decoder.decode(junk, out));
  EXPECT_FALSE(decoder.decode_fec(junk, out));
}

}  // namespace
}  // namespace koe
