// ClipPlayer: plays one looping alert sound (AlertSounds) into the speaker mix. start()
// and stop() from any thread (one atomic store); mix_into() on the media thread alone,
// which never locks, allocates or logs. It shares the immutable sounds and owns one frame.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "audio/alert_sounds.hpp"
#include "audio/audio_format.hpp"
#include "audio/voice_mixer.hpp"

namespace koe {

class ClipPlayer {
 public:
  // `sounds` may be null: then nothing ever plays.
  ClipPlayer(std::shared_ptr<const AlertSounds> sounds, size_t frame_samples);

  // Plays `sound` from its beginning, looping, from the next mixed frame on; starting
  // the sound already playing keeps it going where it is.
  void start(AlertSound sound);
  // Silence from the next mixed frame on.
  void stop();

  // Media thread: adds the next frame of the playing sound, times its gain, to `mixer`.
  // False (and nothing added) when no sound plays.
  bool mix_into(VoiceMixer& mixer);

 private:
  static constexpr uint8_t kSilent = 0xff;

  const std::shared_ptr<const AlertSounds> sounds_;
  std::atomic<uint8_t> wanted_{kSilent};  // an AlertSound, or kSilent

  // Media thread only.
  uint8_t playing_ = kSilent;
  size_t position_ = 0;  // within the playing clip's period
  std::vector<Sample> frame_;
};

}  // namespace koe
