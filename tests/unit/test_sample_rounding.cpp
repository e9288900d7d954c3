// round_to_sample rounds exactly as the std::lround of the clamped value it replaced.
#include "audio/sample_rounding.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace koe {
namespace {

Sample by_lround(float value) {
  constexpr float kLow = std::numeric_limits<Sample>::min();
  constexpr float kHigh = std::numeric_limits<Sample>::max();
  return static_cast<Sample>(std::lround(std::clamp(value, kLow, kHigh)));
}

TEST(SampleRounding, MatchesLroundOnEveryQuarterStepAndBeyondTheLimits) {
  for (float v = -40000.0f; v <= 40000.0f; v += 0.25f) ASSERT_EQ(round_to_sample(v), by_lround(v)) << v;
}

TEST(SampleRounding, MatchesLroundNextToTheHalves) {
  for (const float half : {-32767.5f, -1000.5f, -0.5f, 0.5f, 1000.5f, 32766.5f}) {
    for (const float v : {std::nextafter(half, -1e9f), half, std::nextafter(half, 1e9f)})
      EXPECT_EQ(round_to_sample(v), by_lround(v)) << v;
  }
  EXPECT_EQ(round_to_sample(0.49999997f), 0);
  EXPECT_EQ(round_to_sample(-0.5f), -1);
  EXPECT_EQ(round_to_sample(1e9f), 32767);
  EXPECT_EQ(round_to_sample(-1e9f), -32768);
}

}  // namespace
}  // namespace koe
