// Alert sounds played on the speaker outside a call's media: the incoming-call ringtone
// (assets/ringtone.wav) and the outgoing ring-back tone (synthesised). Loading and
// synthesis allocate: owner thread, before the engine starts. The result is immutable.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "audio/audio_format.hpp"
#include "net/expected.hpp"

namespace koe {

enum class AlertSound : uint8_t {
  kRingtone,  // someone calls us: loops until answered, declined or given up
  kRingback,  // the callee's phone rings: loops until they answer or the call ends
};
inline constexpr size_t kAlertSoundCount = 2;

// A sound that repeats: `samples` (48 kHz mono), then `pause_samples` of silence,
// over and over, mixed at `gain` (linear).
struct LoopedClip {
  std::vector<Sample> samples;
  size_t pause_samples = 0;
  float gain = 1.0f;

  size_t period() const { return samples.size() + pause_samples; }
};

struct AlertSounds {
  std::array<LoopedClip, kAlertSoundCount> clips;  // indexed by AlertSound

  const LoopedClip& operator[](AlertSound sound) const { return clips[static_cast<size_t>(sound)]; }
};

// The North American ring-back cadence: 440 + 480 Hz, 2 s on, 4 s off, soft
// (peaks at -14 dBFS), with 10 ms fades so the bursts do not click.
LoopedClip synthesize_ringback();

// The ringtone shipped in the source tree's assets/ directory.
std::string default_ringtone_path();

// The ringtone from a WAV file of any supported rate (resampled to 48 kHz), repeated
// after a short pause, with the synthesised ring-back, ready to share with a
// VoiceEngine (VoiceEngineConfig::alerts). Errors name the file.
Expected<std::shared_ptr<const AlertSounds>, std::string> load_alert_sounds(
    const std::string& ringtone_path = default_ringtone_path());

}  // namespace koe
