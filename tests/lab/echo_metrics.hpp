// Scores for one echo canceller run over one corpus case: echo return loss
// enhancement in far-end single talk and near-end voice quality in double talk.
// score() uses fftw's planner, which is not thread-safe: call it from one thread.
#pragma once

#include <span>

#include "tests/lab/echo_corpus.hpp"

namespace koe::lab {

struct EchoScores {
  // Far-end single talk after convergence: capture power over output power (dB),
  // before and after the double-talk stretch. Noise counts as capture: at low SNR
  // this is capped near the echo-to-noise ratio unless the canceller cuts noise too.
  // At most 60 dB (a muted output).
  double erle_db = 0;
  double erle_after_double_talk_db = 0;
  // Output power in far-end single talk over output power while nobody talks (dB):
  // about 0 when the residual echo hides under the noise. NaN for noise-free cases.
  double echo_over_floor_db = 0;
  // Double talk: least-squares gain of the near-end voice in the output (dB; 0 =
  // kept whole, negative = attenuated), and the segmental SNR of the output's
  // magnitude spectrum against the ideal output's, near-end voice plus noise (dB,
  // 20 ms segments, 100 Hz..8 kHz, each clamped to -10..35).
  double near_gain_db = 0;
  double double_talk_seg_snr_db = 0;
  // Output lag behind the capture that the double-talk scores compensate (ms).
  double latency_ms = 0;
};

EchoScores score(const EchoCase& c, std::span<const Sample> out);

}  // namespace koe::lab
