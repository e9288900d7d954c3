// Alert sounds: the shipped ringtone loads and is resampled to 48 kHz; the synthesised
// ring-back has the North American cadence, level and tones; a bad file is named.
#include "audio/alert_sounds.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "audio/wav_file.hpp"

namespace koe {
namespace {

// Power of `samples` at `hz` relative to their total power (Goertzel), 0..1.
double tone_share(const std::vector<Sample>& samples, double hz) {
  const double w = 2.0 * std::numbers::pi * hz / kSampleRate;
  double s1 = 0, s2 = 0, total = 0;
  for (Sample x : samples) {
    const double s0 = x + 2.0 * std::cos(w) * s1 - s2;
    s2 = s1;
    s1 = s0;
    total += double(x) * x;
  }
  const double power = s1 * s1 + s2 * s2 - 2.0 * std::cos(w) * s1 * s2;
  return 2.0 * power / (static_cast<double>(samples.size()) * total);
}

TEST(AlertSounds, TheShippedRingtoneLoadsAt48kHzAndLoopsWithAPause) {
  auto sounds = load_alert_sounds();
  ASSERT_TRUE(sounds) << sounds.error();
  const LoopedClip& ring = (**sounds)[AlertSound::kRingtone];
  const auto file = load_wav_48k(default_ringtone_path());
  ASSERT_TRUE(file);
  EXPECT_EQ(ring.samples, *file);
  EXPECT_GT(ring.samples.size(), static_cast<size_t>(kSampleRate / 2));  // a real ring, not a click
  EXPECT_GT(ring.pause_samples, 0u);
  EXPECT_EQ(ring.gain, 1.0f);
  EXPECT_EQ((**sounds)[AlertSound::kRingback].samples, synthesize_ringback().samples);
}

TEST(AlertSounds, RingbackIsTwoSecondsOfSoft440And480HzThenFourSilent) {
  const LoopedClip back = synthesize_ringback();
  EXPECT_EQ(back.samples.size(), static_cast<size_t>(2 * kSampleRate));
  EXPECT_EQ(back.pause_samples, static_cast<size_t>(4 * kSampleRate));
  int peak = 0;
  for (Sample x : back.samples) peak = std::max(peak, std::abs(int{x}));
  EXPECT_GT(peak, 5000);  // soft, yet clearly audible: peaks at -14 dBFS
  EXPECT_LT(peak, 7000);
  EXPECT_EQ(back.samples.front(), 0);  // faded: no click
  EXPECT_LT(std::abs(back.samples.back()), 50);
  const double share = tone_share(back.samples, 440.0) + tone_share(back.samples, 480.0);
  EXPECT_GT(share, 0.95);
  EXPECT_LT(tone_share(back.samples, 1000.0), 0.001);
}

TEST(AlertSounds, AMissingRingtoneIsAnErrorNamingTheFile) {
  auto sounds = load_alert_sounds("/nonexistent/ring.wav");
  ASSERT_FALSE(sounds);
  EXPECT_NE(sounds.error().find("/nonexistent/ring.wav"), std::string::npos) << sounds.error();
}

}  // namespace
}  // namespace koe
