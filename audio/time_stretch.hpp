// Time stretching of decoded speech, the jitter buffer's way to change its delay without
// a click (after NetEQ's accelerate and preemptive expand, a WSOLA relative): remove or
// repeat one pitch period with a linear cross-fade, only where the audio is periodic
// (voiced) or is silence / comfort noise. Pure functions; any thread.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "audio/audio_format.hpp"

namespace koe {

// Pitch periods searched: 2.5..12.5 ms (80..400 Hz voices).
inline constexpr size_t kMinPitchPeriod = kSampleRate / 400;
inline constexpr size_t kMaxPitchPeriod = kSampleRate / 80;
// Correlation between neighbouring periods above which audio counts as periodic.
inline constexpr double kPeriodicCorrelation = 0.9;

struct PitchPeriod {
  size_t period = 0;         // samples; 0 when `pcm` is too short to search
  double correlation = 0.0;  // normalised, of pcm[0, period) with pcm[period, 2 period)
};

// The period in [kMinPitchPeriod, min(kMaxPitchPeriod, pcm.size() / 2)] that best
// repeats (coarse search at 12 kHz, refined at 48 kHz).
PitchPeriod find_pitch_period(std::span<const Sample> pcm);

enum class Stretch { kShorten, kLengthen };

// Shortens or lengthens buffer[begin, end) by one period, in place. `silence` (the
// decoder's voice-activity flag was off) allows it whatever the periodicity.
// Returns the change in samples (negative when shortened; 0 when not done).
int stretch(std::vector<Sample>& buffer, size_t begin, Stretch how, bool silence);

}  // namespace koe
