#include "audio/echo_canceller_speex.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "audio/resampler.hpp"
#include "voice_signals.hpp"

namespace koe {
namespace {

using test::power_db;
using test::seconds;

constexpr size_t kFrame = kVoiceProcessingFrameSamples;

// Capture power over output power (dB) in the last third of `total` seconds of
// far-end talk whose echo arrives `delay` later.
double erle_after_convergence(SpeexEchoCanceller& canceller, double delay, double total) {
  const size_t n = seconds(total);
  const auto far = test::speech_like(n, 6000, 21);
  const auto capture = test::mix(test::echo_of(far, seconds(delay), 0.5, 22), test::white_noise(n, 10, 23));
  std::vector<Sample> out(n);
  for (size_t at = 0; at + kFrame <= n; at += kFrame)
    canceller.process(std::span(capture).subspan(at, kFrame), std::span(far).subspan(at, kFrame),
                      std::span(out).subspan(at, kFrame));
  return power_db(capture, n * 2 / 3, n) - power_db(out, n * 2 / 3, n);
}

// A 450 ms echo does not fit the default filter: only lining the reference up on the
// estimated delay lets the filter cancel it.
TEST(SpeexEchoCanceller, LinesUpOnAnEchoLongerThanItsFilter) {
  SpeexEchoCanceller aligned(SpeexEchoCanceller::kDefaultTail, true);
  SpeexEchoCanceller fixed(SpeexEchoCanceller::kDefaultTail, false);
  const double with_alignment = erle_after_convergence(aligned, 0.45, 15);
  const double without = erle_after_convergence(fixed, 0.45, 15);
  RecordProperty("erle_aligned_db", std::to_string(with_alignment));
  RecordProperty("erle_fixed_db", std::to_string(without));
  EXPECT_GT(with_alignment, 12.0);
  EXPECT_GT(with_alignment, without + 6.0);
}

TEST(SpeexEchoCanceller, ResetStartsAfresh) {
  SpeexEchoCanceller canceller;
  const double first = erle_after_convergence(canceller, 0.1, 6);
  canceller.reset();
  EXPECT_DOUBLE_EQ(erle_after_convergence(canceller, 0.1, 6), first) << "same input, same result";
}

// In the 16 kHz speech band (as VoiceProcessor runs it) the canceller still cancels.
TEST(SpeexEchoCanceller, CancelsInTheSpeechBand) {
  const size_t n = seconds(10);
  const auto far48 = test::speech_like(n, 6000, 25);
  const auto capture48 = test::mix(test::echo_of(far48, seconds(0.1), 0.5, 26), test::white_noise(n, 10, 27));
  const auto far = resample(far48, kSampleRate, kSpeechBandRate);
  const auto capture = resample(capture48, kSampleRate, kSpeechBandRate);
  SpeexEchoCanceller canceller(SpeexEchoCanceller::kDefaultTail, true, kSpeechBandRate);
  const size_t frame = processing_frame_samples(kSpeechBandRate);
  std::vector<Sample> out(capture.size());
  for (size_t at = 0; at + frame <= capture.size(); at += frame)
    canceller.process(std::span(capture).subspan(at, frame), std::span(far).subspan(at, frame),
                      std::span(out).subspan(at, frame));
  const size_t from = capture.size() / 2;
  const double erle = power_db(capture, from, capture.size()) - power_db(out, from, capture.size());
  RecordProperty("erle_16k_db", std::to_string(erle));
  EXPECT_GT(erle, 12.0);
  EXPECT_THROW(SpeexEchoCanceller(SpeexEchoCanceller::kDefaultTail, true, 22050), std::invalid_argument);
}

TEST(SpeexEchoCanceller, RejectsATailOutsideItsRange) {
  EXPECT_THROW(SpeexEchoCanceller(std::chrono::milliseconds(5)), std::invalid_argument);
  EXPECT_THROW(SpeexEchoCanceller(std::chrono::seconds(5)), std::invalid_argument);
}

}  // namespace
}  // namespace koe
