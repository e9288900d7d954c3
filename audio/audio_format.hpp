// The one PCM format inside Koe: 48 kHz, mono, signed 16-bit samples, moved in
// frames of 20 ms (default) or 10 ms. Constants only; any thread.
#pragma once

#include <cstddef>
#include <cstdint>

#include "net/clock.hpp"

namespace koe {

using Sample = int16_t;

inline constexpr int kSampleRate = 48000;
// The speech band (below 8 kHz) the voice processing chain runs at; with processing on
// it is also what the encoder takes.
inline constexpr int kSpeechBandRate = 16000;
inline constexpr int kChannels = 1;

// Frame lengths the codec and the devices agree on (Opus takes both).
enum class FrameLength { k10ms = 10, k20ms = 20 };

inline constexpr FrameLength kDefaultFrameLength = FrameLength::k20ms;

constexpr size_t frame_samples(FrameLength length) {
  return static_cast<size_t>(kSampleRate / 1000 * static_cast<int>(length));
}

constexpr Duration frame_period(FrameLength length) {
  return std::chrono::milliseconds(static_cast<int>(length));
}

inline constexpr size_t kDefaultFrameSamples = frame_samples(kDefaultFrameLength);
static_assert(kDefaultFrameSamples == 960);

}  // namespace koe
