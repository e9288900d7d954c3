// round_to_sample: a float sample value to the nearest 16-bit sample, halves away from
// zero as std::lround does, saturating at the format's limits. Inline, with no call into
// libm's lroundf per sample (the mixer's 960 calls a frame were about 1% of the media
// thread's instructions). Any thread.
#pragma once

#include <algorithm>
#include <limits>

#include "audio/audio_format.hpp"

namespace koe {

inline Sample round_to_sample(float value) {
  constexpr double kLow = std::numeric_limits<Sample>::min();
  constexpr double kHigh = std::numeric_limits<Sample>::max();
  // In double, adding or taking 0.5 is exact for every float in range, so truncating
  // toward zero rounds exactly as std::lround.
  const double v = std::clamp(static_cast<double>(value), kLow, kHigh);
  return static_cast<Sample>(v < 0 ? v - 0.5 : v + 0.5);
}

}  // namespace koe
