// RttEstimator: RFC 6298's smoothed round trip and retransmission timeout, clamped,
// and its doubling after unanswered attempts.
#include "net/rtt_estimator.hpp"

#include <gtest/gtest.h>

namespace koe {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RttEstimator, StartsFromTheInitialTimeout) {
  const RttEstimator rtt(seconds(1), milliseconds(250), seconds(3));
  EXPECT_EQ(rtt.rto(), seconds(1));
  EXPECT_FALSE(rtt.smoothed());
}

TEST(RttEstimator, FirstSampleGivesSrttPlusTwiceItself) {
  RttEstimator rtt(seconds(1), milliseconds(10), seconds(3));
  rtt.sample(milliseconds(100));
  EXPECT_EQ(*rtt.smoothed(), milliseconds(100));
  EXPECT_EQ(rtt.rto(), milliseconds(300));  // srtt + 4 * (srtt / 2)
}

TEST(RttEstimator, SteadySamplesShrinkTheVarianceTowardsTheFloor) {
  RttEstimator rtt(seconds(1), milliseconds(250), seconds(3));
  for (int i = 0; i < 50; ++i) rtt.sample(milliseconds(40));
  EXPECT_EQ(*rtt.smoothed(), milliseconds(40));
  EXPECT_EQ(rtt.rto(), milliseconds(250)) << "clamped to the floor";
}

TEST(RttEstimator, AJumpInDelayRaisesTheTimeoutAtOnce) {
  RttEstimator rtt(seconds(1), milliseconds(50), seconds(3));
  for (int i = 0; i < 20; ++i) rtt.sample(milliseconds(40));
  const Duration before = rtt.rto();
  rtt.sample(milliseconds(400));
  EXPECT_GT(rtt.rto(), before + milliseconds(300)) << "the variance term reacts faster than the mean";
}

TEST(RttEstimator, BackOffDoublesUpToTheCeiling) {
  RttEstimator rtt(seconds(1), milliseconds(250), seconds(3));
  for (int i = 0; i < 50; ++i) rtt.sample(milliseconds(40));
  EXPECT_EQ(rtt.backed_off(0), milliseconds(250));
  EXPECT_EQ(rtt.backed_off(1), milliseconds(500));
  EXPECT_EQ(rtt.backed_off(3), milliseconds(2000));
  EXPECT_EQ(rtt.backed_off(4), seconds(3));
  EXPECT_EQ(rtt.backed_off(200), seconds(3));
}

TEST(RttEstimator, ResetForgetsThePath) {
  RttEstimator rtt(seconds(1), milliseconds(250), seconds(3));
  rtt.sample(milliseconds(900));
  rtt.reset();
  EXPECT_EQ(rtt.rto(), seconds(1));
}

}  // namespace
}  // namespace koe
