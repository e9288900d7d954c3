#include "audio/levels.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <thread>
#include <vector>

namespace koe {
namespace {

std::vector<Sample> sine(double amplitude, size_t n, double hz = 1000) {
  std::vector<Sample> out(n);
  for (size_t i = 0; i < n; ++i)
    out[i] = static_cast<Sample>(
        std::lround(amplitude * std::sin(2 * std::numbers::pi * hz * double(i) / kSampleRate)));
  return out;
}

// Feeds the same frame `blocks` times in a row.
void feed(LevelMeter& meter, const std::vector<Sample>& frame, int blocks) {
  for (int i = 0; i < blocks; ++i) meter.process(frame);
}

TEST(LevelMeter, SilenceReadsTheFloor) {
  LevelMeter meter;
  EXPECT_EQ(meter.reading().rms_dbfs, kSilenceDbfs);
  feed(meter, std::vector<Sample>(kDefaultFrameSamples, 0), 10);
  EXPECT_EQ(meter.reading().rms_dbfs, kSilenceDbfs);
  EXPECT_EQ(meter.reading().peak_dbfs, kSilenceDbfs);
}

TEST(LevelMeter, FullScaleSineSettlesAtMinusThreeRmsAndZeroPeak) {
  LevelMeter meter;
  feed(meter, sine(32767, kDefaultFrameSamples), 20);
  EXPECT_NEAR(meter.reading().rms_dbfs, -3.01, 0.1);
  EXPECT_NEAR(meter.reading().peak_dbfs, 0.0, 0.1);
}

TEST(LevelMeter, QuieterSignalReadsProportionallyLower) {
  LevelMeter meter;
  feed(meter, sine(32767 / 10.0, kDefaultFrameSamples), 20);
  EXPECT_NEAR(meter.reading().rms_dbfs, -23.01, 0.1);
}

TEST(LevelMeter, RisesFastAndFallsSlowly) {
  LevelMeter meter;  // attack 10 ms, release 300 ms
  const auto loud = sine(32767, kDefaultFrameSamples);
  const std::vector<Sample> quiet(kDefaultFrameSamples, 0);
  feed(meter, loud, 1);  // 20 ms of sound: already within 1.5 dB
  EXPECT_GT(meter.reading().rms_dbfs, -3.01 - 1.5);
  feed(meter, loud, 20);
  feed(meter, quiet, 5);  // 100 ms of silence: still well above the floor
  const float after_100ms = meter.reading().rms_dbfs;
  EXPECT_LT(after_100ms, -3.5);
  EXPECT_GT(after_100ms, -10.0);
  feed(meter, quiet, 200);  // 4 s: back to the floor
  EXPECT_EQ(meter.reading().rms_dbfs, kSilenceDbfs);
}

TEST(LevelMeter, ReadingIsVisibleFromAnotherThread) {
  LevelMeter meter;
  feed(meter, sine(32767, kDefaultFrameSamples), 20);
  float seen = kSilenceDbfs;
  std::thread ui([&] { seen = meter.reading().rms_dbfs; });
  ui.join();
  EXPECT_NEAR(seen, -3.01, 0.1);
}

TEST(GainControl, ClampsIgnoresNanAndMutes) {
  GainControl gain;
  EXPECT_EQ(gain.gain_db(), 0.0f);
  EXPECT_FLOAT_EQ(gain.linear(), 1.0f);
  gain.set_gain_db(6.0206f);
  EXPECT_NEAR(gain.linear(), 2.0f, 1e-3);
  gain.set_gain_db(100.0f);
  EXPECT_EQ(gain.gain_db(), GainControl::kMaxGainDb);
  gain.set_gain_db(-std::numeric_limits<float>::infinity());
  EXPECT_EQ(gain.gain_db(), GainControl::kMinGainDb);
  gain.set_gain_db(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(gain.gain_db(), GainControl::kMinGainDb);
  gain.set_muted(true);
  EXPECT_TRUE(gain.muted());
  EXPECT_EQ(gain.linear(), 0.0f);
  gain.set_muted(false);
  EXPECT_GT(gain.linear(), 0.0f);
}

TEST(ApplyGain, ScalesAndSaturatesAtTheSixteenBitLimits) {
  std::vector<Sample> s = {0, 100, -100, 20000, -20000, 32767, -32768};
  apply_gain(s, 2.0f);
  EXPECT_EQ(s, (std::vector<Sample>{0, 200, -200, 32767, -32768, 32767, -32768}));
  apply_gain(s, 0.0f);
  EXPECT_EQ(s, std::vector<Sample>(7, 0));
}

TEST(PeerVolumes, DefaultIsUnityAndSettingsAreClampedAndForgotten) {
  PeerVolumes peers;
  EXPECT_EQ(peers.gain_db("alice"), 0.0f);
  EXPECT_FLOAT_EQ(peers.linear("alice"), 1.0f);
  peers.set_gain_db("alice", -6.0f);
  peers.set_gain_db("bob", 50.0f);
  EXPECT_EQ(peers.gain_db("alice"), -6.0f);
  EXPECT_EQ(peers.gain_db("bob"), GainControl::kMaxGainDb);
  EXPECT_NEAR(peers.linear("alice"), 0.501f, 1e-3);
  EXPECT_EQ(peers.all().size(), 2u);
  peers.forget("alice");
  EXPECT_EQ(peers.gain_db("alice"), 0.0f);
  EXPECT_EQ(peers.all(), (std::map<std::string, float>{{"bob", GainControl::kMaxGainDb}}));
}

TEST(AudioLevels, ViewShowsMetersAndControls) {
  AudioLevels levels;
  feed(levels.input, sine(32767, kDefaultFrameSamples), 20);
  levels.microphone.set_muted(true);
  levels.speaker.set_gain_db(-10);
  levels.peers.set_gain_db("carol", 3);
  const AudioLevelsView v = levels.view();
  EXPECT_NEAR(v.input.rms_dbfs, -3.01, 0.1);
  EXPECT_EQ(v.output.rms_dbfs, kSilenceDbfs);
  EXPECT_TRUE(v.microphone_muted);
  EXPECT_FALSE(v.speaker_muted);
  EXPECT_EQ(v.speaker_gain_db, -10.0f);
  EXPECT_EQ(v.peer_gains_db.at("carol"), 3.0f);
}

}  // namespace
}  // namespace koe
