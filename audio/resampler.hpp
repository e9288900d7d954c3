// Resampler: streaming sample-rate conversion of mono 16-bit PCM (speexdsp).
// One thread at a time uses an instance; it owns its speexdsp state.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "audio/audio_format.hpp"

struct SpeexResamplerState_;

namespace koe {

// Rates Koe converts between ("any common rate": telephone to studio).
inline constexpr int kMinSampleRate = 8000;
inline constexpr int kMaxSampleRate = 192000;
// speexdsp's "desktop" quality: clean for speech at a small cost.
inline constexpr int kDefaultResamplerQuality = 5;

class Resampler {
 public:
  // Rates must lie in [kMinSampleRate, kMaxSampleRate]. Quality 0..10 (speexdsp):
  // higher is cleaner and slower.
  Resampler(int from_rate, int to_rate, int quality = kDefaultResamplerQuality);
  ~Resampler();
  Resampler(Resampler&&) noexcept;
  Resampler& operator=(Resampler&&) noexcept;

  // Appends the converted samples of `in` to `out`. The filter's delay is
  // already removed: output sample i corresponds to input time i / to_rate.
  void process(std::span<const Sample> in, std::vector<Sample>& out);
  // End of stream: appends the samples still held in the filter.
  void flush(std::vector<Sample>& out);
  // Forgets all history, ready for an unrelated stream.
  void reset();

 private:
  struct StateDeleter {
    void operator()(SpeexResamplerState_* state) const;
  };
  std::unique_ptr<SpeexResamplerState_, StateDeleter> state_;  // null when rates are equal
};

// Converts a whole buffer; the result holds round(in.size() * to / from) samples.
std::vector<Sample> resample(std::span<const Sample> in, int from_rate, int to_rate);

}  // namespace koe
