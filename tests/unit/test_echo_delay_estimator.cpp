#include "audio/echo_delay_estimator.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "audio/echo_canceller.hpp"
#include "voice_signals.hpp"

namespace koe {
namespace {

using test::seconds;

constexpr size_t kFrame = kVoiceProcessingFrameSamples;

void feed(EchoDelayEstimator& estimator, const std::vector<Sample>& capture,
          const std::vector<Sample>& far) {
  for (size_t at = 0; at + kFrame <= capture.size(); at += kFrame)
    estimator.push(std::span(capture).subspan(at, kFrame), std::span(far).subspan(at, kFrame));
}

// A far-end talker and its echo `delay` later through a small room, over a faint
// noise floor.
std::vector<Sample> echo_capture(const std::vector<Sample>& far, double delay, uint32_t seed) {
  return test::mix(test::echo_of(far, seconds(delay), 0.3, seed),
                   test::white_noise(far.size(), 20, seed + 1));
}

TEST(EchoDelayEstimator, FindsTheBulkDelayOfAnEcho) {
  for (double delay : {0.04, 0.15, 0.25}) {
    EchoDelayEstimator estimator;
    const auto far = test::speech_like(seconds(8), 6000, 1);
    feed(estimator, echo_capture(far, delay, 2), far);
    ASSERT_TRUE(estimator.delay_frames().has_value()) << delay;
    const double expected = delay * 100;  // frames
    EXPECT_NEAR(double(*estimator.delay_frames()), expected, 2.0) << delay;
  }
}

TEST(EchoDelayEstimator, StaysUnsureWhenTheCaptureIsUnrelated) {
  EchoDelayEstimator estimator;
  const auto far = test::speech_like(seconds(8), 6000, 3);
  const auto near = test::mix(test::speech_like(seconds(8), 4000, 4), test::white_noise(seconds(8), 20, 5));
  feed(estimator, near, far);
  EXPECT_FALSE(estimator.delay_frames().has_value());
}

TEST(EchoDelayEstimator, FollowsAChangedDelayAndForgetsOnReset) {
  EchoDelayEstimator estimator;
  const auto far = test::speech_like(seconds(8), 6000, 6);
  feed(estimator, echo_capture(far, 0.05, 7), far);
  ASSERT_TRUE(estimator.delay_frames().has_value());
  EXPECT_NEAR(double(*estimator.delay_frames()), 5, 2.0);

  const auto far2 = test::speech_like(seconds(8), 6000, 8);
  feed(estimator, echo_capture(far2, 0.2, 9), far2);
  ASSERT_TRUE(estimator.delay_frames().has_value());
  EXPECT_NEAR(double(*estimator.delay_frames()), 20, 2.0);

  estimator.reset();
  EXPECT_FALSE(estimator.delay_frames().has_value());
}

}  // namespace
}  // namespace koe
