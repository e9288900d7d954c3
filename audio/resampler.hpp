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
  // higher is cleaner, slower and delays more. `remove_delay` false keeps the filter's
  // delay in the stream instead, so that whole frames in give whole frames out from
  // the first call on (integer rate ratios): what a frame-by-frame chain needs.
  Resampler(int from_rate, int to_rate, int quality = kDefaultResamplerQuality, bool remove_delay = true);
  ~Resampler();
  Resampler(Resampler&&) noexcept;
  Resampler& operator=(Resampler&&) noexcept;

  // Appends the converted samples of `in` to `out`. With the filter's delay removed
  // (the default), output sample i corresponds to input time i / to_rate.
  void process(std::span<const Sample> in, std::vector<Sample>& out);
  // End of stream: appends the samples still held in the filter.
  void flush(std::vector<Sample>& out);
  // Forgets all history, ready for an unrelated stream.
  void reset();
  // The filter's delay in output samples (kept in the stream unless removed).
  int delay_samples() const;

 private:
  struct StateDeleter {
    void operator()(SpeexResamplerState_* state) const;
  };
  std::unique_ptr<SpeexResamplerState_, StateDeleter> state_;  // null when rates are equal
  bool remove_delay_ = true;
};

// Converts a whole buffer; the result holds round(in.size() * to / from) samples.
std::vector<Sample> resample(std::span<const Sample> in, int from_rate, int to_rate);

}  // namespace koe
