#include "audio/voice_processor.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "audio/echo_canceller.hpp"
#include "audio/resampler.hpp"
#include "voice_signals.hpp"

namespace koe {
namespace {

using test::power_db;
using test::seconds;

constexpr size_t kFrame = kVoiceProcessingFrameSamples;

struct Processed {
  std::vector<Sample> out;
  std::vector<bool> voice;  // one flag per processed frame
};

// Feeds `capture` with its `playback` through the processor `frame` samples at a time.
Processed run(VoiceProcessor& processor, std::span<const Sample> capture,
              std::span<const Sample> playback, size_t frame = kFrame) {
  Processed r{std::vector<Sample>(capture.begin(), capture.end()), {}};
  for (size_t at = 0; at + frame <= capture.size(); at += frame)
    r.voice.push_back(processor.process(std::span(r.out).subspan(at, frame),
                                        playback.subspan(at, frame)));
  return r;
}

Processed run(VoiceProcessor& processor, std::span<const Sample> capture) {
  const std::vector<Sample> silence(capture.size(), 0);
  return run(processor, capture, silence);
}

double fraction_true(const std::vector<bool>& flags, size_t from, size_t to) {
  size_t n = 0;
  for (size_t i = from; i < to; ++i) n += flags[i];
  return double(n) / double(to - from);
}

constexpr VoiceProcessingSwitches kAllOff{false, false, false, false};

TEST(VoiceProcessor, AllStagesOffIsBitExactPassthrough) {
  for (auto kind : {EchoCancellerKind::kSpeex, EchoCancellerKind::kWebrtc}) {
    VoiceProcessor processor(kind, kAllOff);
    const auto capture = test::white_noise(seconds(1), 3000, 1);
    const auto playback = test::white_noise(seconds(1), 3000, 2);
    const Processed r = run(processor, capture, playback);
    EXPECT_EQ(r.out, capture) << echo_canceller_name(kind);
    for (bool v : r.voice) EXPECT_TRUE(v) << "with detection off every frame counts as voice";
  }
}

TEST(VoiceProcessor, VoiceDetectionAloneLeavesSamplesUntouched) {
  VoiceProcessor processor(kDefaultEchoCanceller,
                           {.echo_cancellation = false,
                            .noise_suppression = false,
                            .automatic_gain = false,
                            .voice_activity_detection = true});
  const auto capture = test::speech_like(seconds(2), 4000, 3);
  EXPECT_EQ(run(processor, capture).out, capture);
}

TEST(VoiceProcessor, SwitchingEveryStageOffAtRunTimeGivesPassthroughFromTheNextFrame) {
  VoiceProcessor processor;  // everything on
  const auto capture = test::mix(test::speech_like(seconds(2), 4000, 4), test::white_noise(seconds(2), 300, 5));
  const Processed changed = run(processor, capture);
  EXPECT_NE(changed.out, capture) << "with every stage on the signal is processed";

  processor.set_switches(kAllOff);
  EXPECT_EQ(processor.switches(), kAllOff);
  EXPECT_EQ(run(processor, capture).out, capture);

  processor.set_switches({});
  EXPECT_NE(run(processor, capture).out, capture) << "stages come back on";
}

// Each stage on its own changes the signal, and switching it off gives the samples
// back untouched.
TEST(VoiceProcessor, EachStageActsAloneAndSwitchesOffCleanly) {
  const size_t n = seconds(3);
  const auto far = test::speech_like(n, 6000, 16);
  const auto capture = test::mix(test::mix(test::echo_of(far, seconds(0.05), 0.5, 17),
                                           test::speech_like(n, 300, 18)),
                                 test::white_noise(n, 300, 19));
  // Echo cancellation, noise suppression, gain control: one at a time.
  const VoiceProcessingSwitches alone[] = {
      {true, false, false, false}, {false, true, false, false}, {false, false, true, false}};
  for (const VoiceProcessingSwitches& on : alone) {
    VoiceProcessor processor(kDefaultEchoCanceller, on);
    EXPECT_NE(run(processor, capture, far).out, capture);
    processor.set_switches(kAllOff);
    EXPECT_EQ(run(processor, capture, far).out, capture);
  }
}

TEST(VoiceProcessor, RejectsFramesThatAreNotWhole10msOrDoNotMatch) {
  VoiceProcessor processor;
  std::vector<Sample> capture(kFrame + 1), playback(kFrame + 1);
  EXPECT_THROW(processor.process(capture, playback), std::invalid_argument);
  std::vector<Sample> two(2 * kFrame), one(kFrame);
  EXPECT_THROW(processor.process(two, one), std::invalid_argument);
  EXPECT_NO_THROW(processor.process(two, std::vector<Sample>(2 * kFrame)));  // 20 ms is fine
}

class EchoReduction : public ::testing::TestWithParam<EchoCancellerKind> {};

// A far-end talker, its echo 60 ms later through a small room at -6 dB, and nothing
// else at the microphone: after convergence the echo must be far quieter.
TEST_P(EchoReduction, CancelsASyntheticEchoByAtLeast12dB) {
  const size_t n = seconds(10);
  const auto far = test::speech_like(n, 6000, 6);
  const auto echo = test::echo_of(far, seconds(0.06), 0.5, 7);
  VoiceProcessor processor(GetParam(), {.echo_cancellation = true,
                                        .noise_suppression = false,
                                        .automatic_gain = false,
                                        .voice_activity_detection = false});
  const Processed r = run(processor, echo, far, 2 * kFrame);  // 20 ms frames, as the app sends
  const double erle = power_db(echo, seconds(5), n) - power_db(r.out, seconds(5), n);
  RecordProperty("erle_db", std::to_string(erle));
  EXPECT_GT(erle, 12.0) << echo_canceller_name(GetParam());
}

// Double talk: the near-end voice must survive (not be cancelled as echo).
TEST_P(EchoReduction, KeepsNearEndSpeechDuringDoubleTalk) {
  const size_t n = seconds(10);
  const auto far = test::speech_like(n, 6000, 8);
  const auto echo = test::echo_of(far, seconds(0.06), 0.5, 9);
  auto near = test::speech_like(n, 4000, 10);
  std::fill(near.begin(), near.begin() + seconds(5), 0);  // far end alone first
  const auto capture = test::mix(echo, near);
  VoiceProcessor processor(GetParam(), {.echo_cancellation = true,
                                        .noise_suppression = false,
                                        .automatic_gain = false,
                                        .voice_activity_detection = false});
  const Processed r = run(processor, capture, far);
  const double kept = power_db(r.out, seconds(6), n) - power_db(near, seconds(6), n);
  EXPECT_GT(kept, -10.0) << echo_canceller_name(GetParam()) << ": near-end speech lost";
}

INSTANTIATE_TEST_SUITE_P(BothLibraries, EchoReduction,
                         ::testing::Values(EchoCancellerKind::kSpeex, EchoCancellerKind::kWebrtc),
                         [](const auto& param_info) { return std::string(echo_canceller_name(param_info.param)); });

TEST(VoiceProcessor, DetectsVoiceAndNotSilence) {
  VoiceProcessor processor(kDefaultEchoCanceller, {.echo_cancellation = false,
                                                   .noise_suppression = false,
                                                   .automatic_gain = false,
                                                   .voice_activity_detection = true});
  const auto quiet = test::white_noise(seconds(3), 3, 11);  // about -80 dBFS
  const Processed silent = run(processor, quiet);
  EXPECT_LT(fraction_true(silent.voice, 50, silent.voice.size()), 0.05);

  // Count the frames where the talker is clearly audible (within about 20 dB of
  // the speech level).
  const auto speech = test::speech_like(seconds(6), 5000, 12);
  const Processed talk = run(processor, speech);
  size_t voiced = 0, flagged = 0;
  for (size_t f = 100; f < talk.voice.size(); ++f) {
    if (power_db(speech, f * kFrame, (f + 1) * kFrame) > -40) {
      ++voiced;
      flagged += talk.voice[f];
    }
  }
  ASSERT_GT(voiced, 200u);
  EXPECT_GT(double(flagged) / double(voiced), 0.8);
}

TEST(VoiceProcessor, AutomaticGainRaisesAQuietTalkerTowardTheTarget) {
  VoiceProcessor processor(kDefaultEchoCanceller, {.echo_cancellation = false,
                                                   .noise_suppression = false,
                                                   .automatic_gain = true,
                                                   .voice_activity_detection = false});
  const size_t n = seconds(15);
  // About -40 dBFS while talking, over a microphone's noise floor (-60 dBFS): WebRTC's
  // gain control only adapts where it can tell speech from a noise floor.
  const auto quiet = test::mix(test::speech_like(n, 300, 13), test::white_noise(n, 30, 15));
  const Processed r = run(processor, quiet);
  const double raised = power_db(r.out, seconds(10), n) - power_db(quiet, seconds(10), n);
  RecordProperty("agc_gain_db", std::to_string(raised));
  EXPECT_GT(raised, 10.0);
  EXPECT_LT(power_db(r.out, seconds(10), n), -3.0) << "never pushed into clipping";
}

TEST(VoiceProcessor, NoiseSuppressionLowersStationaryNoise) {
  VoiceProcessor processor(kDefaultEchoCanceller, {.echo_cancellation = false,
                                                   .noise_suppression = true,
                                                   .automatic_gain = false,
                                                   .voice_activity_detection = false});
  const size_t n = seconds(5);
  const auto noise = test::white_noise(n, 1000, 14);  // about -30 dBFS
  const Processed r = run(processor, noise);
  const double reduction = power_db(noise, seconds(2), n) - power_db(r.out, seconds(2), n);
  RecordProperty("noise_reduction_db", std::to_string(reduction));
  EXPECT_GT(reduction, 6.0);
}

// Speex's residual echo suppressor analyses the noise anyway, so with echo cancellation
// on it also does the noise suppression (WebRTC's suppressor stays off): switching noise
// suppression must still take the noise away, and off, leave it.
TEST(VoiceProcessor, TheSpeexCancellerTakesOverNoiseSuppression) {
  const size_t n = seconds(5);
  // About -30 dBFS of white noise in the speech band (the chain drops what lies above).
  const auto noise = resample(resample(test::white_noise(n, 1000, 24), kSampleRate, kSpeechBandRate),
                              kSpeechBandRate, kSampleRate);
  const auto reduction = [&](bool suppress) {
    VoiceProcessor processor(EchoCancellerKind::kSpeex, {.echo_cancellation = true,
                                                         .noise_suppression = suppress,
                                                         .automatic_gain = false,
                                                         .voice_activity_detection = false});
    const Processed r = run(processor, noise);
    return power_db(noise, seconds(2), n) - power_db(r.out, seconds(2), n);
  };
  const double with = reduction(true), without = reduction(false);
  RecordProperty("noise_reduction_db", std::to_string(with));
  EXPECT_GT(with, 6.0);
  EXPECT_LT(std::abs(without), 1.5) << "noise suppression off leaves the noise";
}

// The chain runs on the 16 kHz speech band: what it processes keeps the speech band and
// loses what lies above 8 kHz.
TEST(VoiceProcessor, ProcessingKeepsTheSpeechBandOnly) {
  const size_t n = seconds(2);
  const auto tone = [&](double hz) {
    std::vector<Sample> s(n);
    for (size_t i = 0; i < n; ++i) s[i] = static_cast<Sample>(3000 * std::sin(2 * M_PI * hz * double(i) / kSampleRate));
    return s;
  };
  for (const double hz : {1000.0, 12000.0}) {
    VoiceProcessor processor(EchoCancellerKind::kSpeex, {.echo_cancellation = true,
                                                         .noise_suppression = false,
                                                         .automatic_gain = false,
                                                         .voice_activity_detection = false});
    const auto in = tone(hz);
    const double change = power_db(run(processor, in).out, seconds(1), n) - power_db(in, seconds(1), n);
    if (hz < 8000) {
      EXPECT_NEAR(change, 0.0, 3.0) << hz << " Hz passes";
    } else {
      EXPECT_LT(change, -30.0) << hz << " Hz is above the speech band";
    }
  }
}

// What the engine hands the encoder: with a stage on, the cleaned 16 kHz band (a third as
// many samples, the speech kept, the capture left alone); with none on, the capture itself.
TEST(VoiceProcessor, ProcessToBandHandsOnTheSpeechBand) {
  const size_t frame = 2 * kFrame;  // the engine's 20 ms
  std::vector<Sample> in(seconds(2));
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<Sample>(3000 * std::sin(2 * M_PI * 1000.0 * double(i) / kSampleRate));
  const std::vector<Sample> silence(frame, 0);
  VoiceProcessor on(EchoCancellerKind::kSpeex, {.echo_cancellation = true,
                                                 .noise_suppression = false,
                                                 .automatic_gain = false,
                                                 .voice_activity_detection = false});
  VoiceProcessor off(EchoCancellerKind::kSpeex, kAllOff);
  std::vector<Sample> band;
  for (size_t at = 0; at + frame <= in.size(); at += frame) {
    std::vector<Sample> capture(in.begin() + std::ptrdiff_t(at), in.begin() + std::ptrdiff_t(at + frame));
    const std::span<Sample> out = on.process_to_band(capture, silence);
    ASSERT_EQ(out.size(), frame * kSpeechBandRate / kSampleRate);
    band.insert(band.end(), out.begin(), out.end());
    EXPECT_TRUE(std::equal(capture.begin(), capture.end(), in.begin() + std::ptrdiff_t(at)));
    const std::span<Sample> same = off.process_to_band(capture, silence);
    EXPECT_EQ(same.data(), capture.data());
    EXPECT_EQ(same.size(), capture.size());
  }
  const size_t half = band.size() / 2;
  EXPECT_NEAR(power_db(band, half, band.size()), power_db(in, in.size() / 2, in.size()), 3.0);
}

TEST(EchoCancellerKind, NamesRoundTrip) {
  for (auto kind : {EchoCancellerKind::kSpeex, EchoCancellerKind::kWebrtc})
    EXPECT_EQ(parse_echo_canceller_kind(echo_canceller_name(kind)), kind);
  EXPECT_FALSE(parse_echo_canceller_kind("aecm").has_value());
}

}  // namespace
}  // namespace koe
