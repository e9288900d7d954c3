#include "audio/alert_sounds.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "audio/wav_file.hpp"

namespace koe {

namespace {

constexpr size_t samples_in(double seconds) { return static_cast<size_t>(seconds * kSampleRate); }

constexpr size_t kRingbackOn = samples_in(2.0);
constexpr size_t kRingbackOff = samples_in(4.0);
constexpr size_t kRingbackFade = samples_in(0.010);
constexpr double kRingbackPeak = 0.2;  // of full scale, for the two tones together
// A pause between rings, as a telephone's bell has, so the ring reads as a ring.
constexpr size_t kRingtonePause = samples_in(1.0);

}  // namespace

LoopedClip synthesize_ringback() {
  LoopedClip clip;
  clip.samples.resize(kRingbackOn);
  constexpr double kTwoPi = 2.0 * std::numbers::pi;
  for (size_t i = 0; i < kRingbackOn; ++i) {
    const double t = static_cast<double>(i) / kSampleRate;
    const size_t edge = std::min(i, kRingbackOn - 1 - i);
    const double fade = std::min(1.0, static_cast<double>(edge) / kRingbackFade);
    const double tone = 0.5 * (std::sin(kTwoPi * 440.0 * t) + std::sin(kTwoPi * 480.0 * t));
    clip.samples[i] = static_cast<Sample>(std::lround(tone * fade * kRingbackPeak * 32767.0));
  }
  clip.pause_samples = kRingbackOff;
  return clip;
}

std::string default_ringtone_path() { return std::string(KOE_ASSETS_DIR) + "/ringtone.wav"; }

Expected<std::shared_ptr<const AlertSounds>, std::string> load_alert_sounds(const std::string& ringtone_path) {
  auto ringtone = load_wav_48k(ringtone_path);
  if (!ringtone) return Failure{ringtone.error()};
  if (ringtone->empty()) return Failure{ringtone_path + ": the WAV file holds no samples"};
  auto sounds = std::make_shared<AlertSounds>();
  LoopedClip& ring = sounds->clips[static_cast<size_t>(AlertSound::kRingtone)];
  ring.samples = std::move(*ringtone);
  ring.pause_samples = kRingtonePause;
  sounds->clips[static_cast<size_t>(AlertSound::kRingback)] = synthesize_ringback();
  return std::shared_ptr<const AlertSounds>(std::move(sounds));
}

}  // namespace koe
