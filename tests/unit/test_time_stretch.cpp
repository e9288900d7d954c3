// Time stretching: pitch found, one period removed or repeated without a click, and
// noise-like sound left alone unless it is silence.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "audio/time_stretch.hpp"

namespace koe {
namespace {

std::vector<Sample> voiced(double f0, size_t n) {
  // A few harmonics, like a vowel: periodic but not a pure sine.
  std::vector<Sample> x(n);
  for (size_t i = 0; i < n; ++i) {
    const double t = double(i) / kSampleRate;
    double v = 0;
    for (int h = 1; h <= 4; ++h) v += std::sin(2 * std::numbers::pi * f0 * h * t) / h;
    x[i] = static_cast<Sample>(std::lround(6000 * v));
  }
  return x;
}

double max_step(const std::vector<Sample>& x) {
  double m = 0;
  for (size_t i = 1; i < x.size(); ++i) m = std::max(m, std::abs(double(x[i]) - x[i - 1]));
  return m;
}

TEST(TimeStretch, FindsThePitchPeriod) {
  for (const double f0 : {100.0, 160.0, 240.0}) {
    const auto x = voiced(f0, 1920);
    const PitchPeriod p = find_pitch_period(x);
    // The period or a multiple of it, within a sample.
    const double periods = double(p.period) / (kSampleRate / f0);
    EXPECT_NEAR(periods, std::round(periods), 0.02) << f0;
    EXPECT_GT(p.correlation, 0.99);
  }
}

TEST(TimeStretch, TooShortToSearch) {
  const auto x = voiced(200, kMinPitchPeriod * 2 - 1);
  EXPECT_EQ(find_pitch_period(x).period, 0u);
  auto buffer = x;
  EXPECT_EQ(stretch(buffer, 0, Stretch::kShorten, false), 0);
}

TEST(TimeStretch, ShortensAndLengthensByOnePeriodWithoutAClick) {
  const auto x = voiced(150, 1920);
  const double natural = max_step(x);
  for (const Stretch how : {Stretch::kShorten, Stretch::kLengthen}) {
    auto buffer = x;
    const int change = stretch(buffer, 0, how, false);
    ASSERT_NE(change, 0);
    EXPECT_EQ(buffer.size(), x.size() + change);
    EXPECT_NEAR(std::abs(change) % 320, 0, 2);  // a whole number of 150 Hz periods
    EXPECT_LE(max_step(buffer), natural * 1.1);
  }
}

TEST(TimeStretch, WorksOnTheTailOfABuffer) {
  std::vector<Sample> buffer(500, 1234);  // already played; untouched
  const auto x = voiced(200, 960);
  buffer.insert(buffer.end(), x.begin(), x.end());
  const int change = stretch(buffer, 500, Stretch::kShorten, false);
  EXPECT_LT(change, 0);
  EXPECT_TRUE(std::all_of(buffer.begin(), buffer.begin() + 500, [](Sample s) { return s == 1234; }));
}

TEST(TimeStretch, LoudNoiseIsLeftAloneButSilenceIsNot) {
  std::mt19937 rng(3);
  std::vector<Sample> noise(1920);
  for (Sample& s : noise) s = static_cast<Sample>(int(rng() % 20001) - 10000);
  auto buffer = noise;
  EXPECT_EQ(stretch(buffer, 0, Stretch::kShorten, false), 0);
  EXPECT_EQ(buffer, noise);
  // The same noise flagged as silence (comfort noise) may be cut.
  EXPECT_LT(stretch(buffer, 0, Stretch::kShorten, true), 0);
  buffer = noise;
  EXPECT_GT(stretch(buffer, 0, Stretch::kLengthen, true), 0);
}

}  // namespace
}  // namespace koe
