#include "audio/clip_player.hpp"

#include <utility>

namespace koe {

static_assert(kAlertSoundCount < 0xff, "kSilent must not name a sound");

ClipPlayer::ClipPlayer(std::shared_ptr<const AlertSounds> sounds, size_t frame_samples)
    : sounds_(std::move(sounds)), frame_(frame_samples) {}

void ClipPlayer::start(AlertSound sound) {
  if (sounds_) wanted_.store(static_cast<uint8_t>(sound), std::memory_order_relaxed);
}

void ClipPlayer::stop() { wanted_.store(kSilent, std::memory_order_relaxed); }

bool ClipPlayer::mix_into(VoiceMixer& mixer) {
  const uint8_t wanted = wanted_.load(std::memory_order_relaxed);
  if (wanted != playing_) {
    playing_ = wanted;
    position_ = 0;
  }
  if (playing_ == kSilent) return false;
  const LoopedClip& clip = (*sounds_)[static_cast<AlertSound>(playing_)];
  const size_t period = clip.period();
  if (period == 0) return false;
  for (Sample& sample : frame_) {
    sample = position_ < clip.samples.size() ? clip.samples[position_] : Sample{0};
    if (++position_ == period) position_ = 0;
  }
  mixer.add(frame_, clip.gain);
  return true;
}

}  // namespace koe
