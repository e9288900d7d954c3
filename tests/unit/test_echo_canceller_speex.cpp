#include "audio/echo_canceller_speex.hpp"

#include <gtest/gtest.h>

#include <vector>

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

// A 450 ms echo does not fit a 400 ms filter: only lining the reference up on the
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

TEST(SpeexEchoCanceller, RejectsATailOutsideItsRange) {
  EXPECT_THROW(SpeexEchoCanceller(std::chrono::milliseconds(5)), std::invalid_argument);
  EXPECT_THROW(SpeexEchoCanceller(std::chrono::seconds(5)), std::invalid_argument);
}

}  // namespace
}  // namespace koe
