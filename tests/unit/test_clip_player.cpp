// ClipPlayer: an alert sound loops (clip, pause, clip, ...), starts from its beginning,
// stops from the very next frame, mixes at the clip's gain over other voices, and
// never allocates while mixing (the real-time allocation hook watches).
#include "audio/clip_player.hpp"

#include <gtest/gtest.h>

#include <numeric>

#include "tests/unit/realtime_allocation_hook.hpp"

namespace koe {
namespace {

constexpr size_t kFrame = 64;

// Ringtone: 1, 2, ..., 100 then 50 silent samples; ring-back: a constant 1000 at gain 0.25.
std::shared_ptr<const AlertSounds> test_sounds() {
  auto sounds = std::make_shared<AlertSounds>();
  LoopedClip& ring = sounds->clips[static_cast<size_t>(AlertSound::kRingtone)];
  ring.samples.resize(100);
  std::iota(ring.samples.begin(), ring.samples.end(), Sample{1});
  ring.pause_samples = 50;
  LoopedClip& back = sounds->clips[static_cast<size_t>(AlertSound::kRingback)];
  back.samples.assign(kFrame * 3, 1000);
  back.gain = 0.25f;
  return sounds;
}

// What the player adds to one silent frame (and whether it added anything).
std::vector<Sample> mix_frame(ClipPlayer& player, bool* added = nullptr) {
  VoiceMixer mixer(kFrame);
  mixer.clear();
  const bool any = player.mix_into(mixer);
  if (added) *added = any;
  std::vector<Sample> out(kFrame);
  mixer.finish(1.0f, out);
  return out;
}

TEST(ClipPlayer, RingtoneLoopsClipThenPauseFromItsBeginning) {
  ClipPlayer player(test_sounds(), kFrame);
  player.start(AlertSound::kRingtone);
  std::vector<Sample> played;
  for (int i = 0; i < 7; ++i) {  // 448 samples: three periods of 150, less two
    const std::vector<Sample> frame = mix_frame(player);
    played.insert(played.end(), frame.begin(), frame.end());
  }
  for (size_t i = 0; i < played.size(); ++i) {
    const size_t at = i % 150;
    ASSERT_EQ(played[i], at < 100 ? static_cast<Sample>(at + 1) : 0) << "sample " << i;
  }
}

TEST(ClipPlayer, StopSilencesTheVeryNextFrame) {
  ClipPlayer player(test_sounds(), kFrame);
  bool added = false;
  mix_frame(player, &added);
  EXPECT_FALSE(added) << "nothing plays before start";
  player.start(AlertSound::kRingtone);
  EXPECT_EQ(mix_frame(player, &added)[0], 1);
  EXPECT_TRUE(added);
  player.stop();
  EXPECT_EQ(mix_frame(player, &added), std::vector<Sample>(kFrame, 0));
  EXPECT_FALSE(added);
  // Started again, it rings from the beginning, not from where it stopped.
  player.start(AlertSound::kRingtone);
  EXPECT_EQ(mix_frame(player)[0], 1);
}

TEST(ClipPlayer, RestartingTheSameSoundContinuesAnotherStartsOver) {
  ClipPlayer player(test_sounds(), kFrame);
  player.start(AlertSound::kRingtone);
  mix_frame(player);
  player.start(AlertSound::kRingtone);  // a repeated event: no stutter
  EXPECT_EQ(mix_frame(player)[0], static_cast<Sample>(kFrame + 1));
  player.start(AlertSound::kRingback);
  EXPECT_EQ(mix_frame(player)[0], 250);
}

TEST(ClipPlayer, MixesAtTheClipsGainOverOtherVoices) {
  ClipPlayer player(test_sounds(), kFrame);
  player.start(AlertSound::kRingback);
  VoiceMixer mixer(kFrame);
  mixer.clear();
  mixer.add(std::vector<Sample>(kFrame, 100), 1.0f);  // a call's voice
  ASSERT_TRUE(player.mix_into(mixer));
  std::vector<Sample> out(kFrame);
  mixer.finish(1.0f, out);
  EXPECT_EQ(out, std::vector<Sample>(kFrame, 100 + 250));
}

TEST(ClipPlayer, WithoutSoundsNothingEverPlays) {
  ClipPlayer player(nullptr, kFrame);
  player.start(AlertSound::kRingtone);
  bool added = true;
  EXPECT_EQ(mix_frame(player, &added), std::vector<Sample>(kFrame, 0));
  EXPECT_FALSE(added);
}

TEST(ClipPlayer, MixingNeverAllocates) {
  ClipPlayer player(test_sounds(), kFrame);
  VoiceMixer mixer(kFrame);
  std::vector<Sample> out(kFrame);
  const uint64_t before = g_realtime_allocations.load();
  {
    RealtimeScope realtime;
    for (int i = 0; i < 1000; ++i) {
      if (i % 100 == 0) player.start(i % 200 == 0 ? AlertSound::kRingtone : AlertSound::kRingback);
      if (i % 100 == 50) player.stop();
      mixer.clear();
      player.mix_into(mixer);
      mixer.finish(1.0f, out);
    }
  }
  EXPECT_EQ(g_realtime_allocations.load(), before);
  {
    RealtimeScope realtime;
    auto probe = std::make_unique<int>(1);  // the instrument itself must see allocations
  }
  EXPECT_EQ(g_realtime_allocations.load(), before + 1);
}

}  // namespace
}  // namespace koe
