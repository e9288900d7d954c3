// OpusVoiceEncoder encodes the silence it keeps off the wire (DTX) at a low complexity
// and speech at the configured one, from the very frame a talker starts; the speech
// sounds the same.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "audio/opus_decoder.hpp"
#include "audio/opus_encoder.hpp"
#include "tests/sim/speech_quality.hpp"
#include "voice_signals.hpp"

namespace koe {
namespace {

constexpr size_t kFrame = kDefaultFrameSamples;

// Talk (1 s), a pause at -80 dBFS (2 s), talk again (1 s).
std::vector<Sample> talk_pause_talk() {
  auto s = test::white_noise(test::seconds(4), 3, 1);
  const auto talk = test::speech_like(test::seconds(4), 4000, 2);
  for (size_t i = 0; i < s.size(); ++i)
    if (i < test::seconds(1) || i >= test::seconds(3)) s[i] = test::clamp_sample(double(s[i]) + talk[i]);
  return s;
}

// The complexity each frame was encoded at.
std::vector<int> complexities(OpusVoiceEncoder& encoder, const std::vector<Sample>& pcm) {
  std::vector<int> out;
  for (size_t at = 0; at + kFrame <= pcm.size(); at += kFrame) {
    encoder.encode(std::span(pcm).subspan(at, kFrame));
    out.push_back(encoder.complexity());
  }
  return out;
}

// Whether 20 ms frame `f` holds a talker (louder than -40 dBFS).
bool talking(const std::vector<Sample>& pcm, size_t f) {
  return test::power_db(pcm, f * kFrame, (f + 1) * kFrame) > -40;
}

TEST(OpusSilenceComplexity, SilenceIsEncodedCheaplyAndEverySpeechFrameAtTheConfiguredComplexity) {
  const auto pcm = talk_pause_talk();
  OpusVoiceEncoder encoder;  // complexity 5, DTX on
  const std::vector<int> c = complexities(encoder, pcm);
  const int configured = OpusEncoderConfig{}.complexity;
  ASSERT_LT(OpusVoiceEncoder::kSilenceComplexity, configured);

  // Every frame with a talker in it, including the first of each syllable after a
  // pause long enough for DTX.
  size_t speech_frames = 0;
  for (size_t f = 0; f < c.size(); ++f) {
    if (!talking(pcm, f)) continue;
    ++speech_frames;
    EXPECT_EQ(c[f], configured) << "frame " << f;
  }
  EXPECT_GT(speech_frames, 30u);
  // libopus enters DTX after 200 ms without activity; the pause lasts 2 s.
  const size_t pause_from = test::seconds(1) / kFrame, pause_to = test::seconds(3) / kFrame;
  const auto cheap = std::count(c.begin() + pause_from, c.begin() + pause_to, OpusVoiceEncoder::kSilenceComplexity);
  EXPECT_GT(cheap, static_cast<std::ptrdiff_t>(pause_to - pause_from) * 3 / 4);
}

TEST(OpusSilenceComplexity, NeverAboveTheConfiguredComplexity) {
  OpusEncoderConfig config;
  config.complexity = 0;
  OpusVoiceEncoder encoder(config);
  for (const int c : complexities(encoder, talk_pause_talk())) EXPECT_EQ(c, 0);
}

// Without DTX nothing is economised on; with it the speech decodes as well.
TEST(OpusSilenceComplexity, SpeechSoundsTheSame) {
  std::vector<Sample> pcm;
  for (int i = 0; i < 4; ++i) {
    const auto part = talk_pause_talk();
    pcm.insert(pcm.end(), part.begin(), part.end());
  }
  const auto decoded = [&](bool dtx) {
    OpusEncoderConfig config;
    config.dtx = dtx;
    OpusVoiceEncoder encoder(config);
    OpusVoiceDecoder decoder;
    std::vector<Sample> out(pcm.size(), 0);
    for (size_t at = 0; at + kFrame <= pcm.size(); at += kFrame) {
      const auto frame = std::span(out).subspan(at, kFrame);
      if (const auto packet = encoder.encode(std::span(pcm).subspan(at, kFrame))) {
        EXPECT_TRUE(decoder.decode(*packet, frame));
      } else {
        decoder.conceal(frame);
      }
    }
    return out;
  };
  const double lsd_dtx = sim::score_speech(pcm, decoded(true)).log_spectral_distance_db;
  const double lsd_plain = sim::score_speech(pcm, decoded(false)).log_spectral_distance_db;
  RecordProperty("lsd_with_dtx_db", std::to_string(lsd_dtx));
  RecordProperty("lsd_without_dtx_db", std::to_string(lsd_plain));
  EXPECT_LT(lsd_dtx, lsd_plain + 0.1);
}

}  // namespace
}  // namespace koe
