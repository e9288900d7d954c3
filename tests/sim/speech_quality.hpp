// Objective speech quality of a degraded recording against its original, built from open
// parts: cross-correlation alignment (global, then per block, since a jitter buffer moves
// its delay), segmental SNR over active frames, and log-spectral distance (50 Hz-8 kHz).
// See docs/audio-quality.md. Pure functions; any thread.
#pragma once

#include <span>

#include "audio/audio_format.hpp"

namespace koe::sim {

struct QualityScore {
  double segmental_snr_db = 0;  // mean over active frames, each clamped to [-10, 35] dB
  double log_spectral_distance_db = 0;  // mean over active frames; 0 is identical
  int frames_scored = 0;
  int delay_samples = 0;  // the global alignment found
};

// Aligns `degraded` to `reference` and scores it. Frames where the reference is more
// than 40 dB below its loudest frame are not scored (pauses carry no information).
QualityScore score_speech(std::span<const Sample> reference, std::span<const Sample> degraded);

// Log-spectral distance (dB) between two equally long frames (Hann window, power
// spectra floored 50 dB below the first frame's peak, 50 Hz-8 kHz).
double log_spectral_distance(std::span<const Sample> reference, std::span<const Sample> degraded);

}  // namespace koe::sim
