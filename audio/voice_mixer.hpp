// VoiceMixer: sums the frames of several voices, each with its own gain, into one
// playback frame, saturating only once at the end (so two loud peers clip less than
// pairwise saturation would). One owner thread (the media thread); it owns a
// preallocated accumulator.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "audio/audio_format.hpp"

namespace koe {

class VoiceMixer {
 public:
  explicit VoiceMixer(size_t frame_samples) : sum_(frame_samples, 0.0f) {}

  // Starts a new frame: silence.
  void clear();
  // Adds `voice` (frame_samples long, else std::invalid_argument) times `gain`.
  void add(std::span<const Sample> voice, float gain);
  // Writes the sum times `master_gain`, saturated to 16 bits, into `out`
  // (frame_samples long, else std::invalid_argument).
  void finish(float master_gain, std::span<Sample> out) const;

 private:
  std::vector<float> sum_;
};

}  // namespace koe
