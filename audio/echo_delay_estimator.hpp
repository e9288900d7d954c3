// EchoDelayEstimator: finds the bulk delay between the far-end (playback) signal and
// its echo in the captured signal, so a canceller with a short filter can be lined
// up on the echo, by cross-correlating the changes of 10 ms log energies over the
// last few seconds. Sans-IO and allocation-free after construction; one thread at a time.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "audio/audio_format.hpp"

namespace koe {

struct EchoDelayConfig {
  size_t max_delay_frames = 50;    // 500 ms of 10 ms frames
  size_t window_frames = 300;      // correlate over the last 3 s
  size_t update_every_frames = 25;  // a new estimate every 250 ms
  // The best lag must correlate at least this well (Pearson) to count. Unrelated
  // signals correlate about +-1/sqrt(window) (0.06 for 300 frames); an echo, 0.2..0.5.
  double min_correlation = 0.2;
  size_t agreeing_estimates = 3;  // in a row, before a lag is believed
};

class EchoDelayEstimator {
 public:
  explicit EchoDelayEstimator(EchoDelayConfig config = {});

  // One 10 ms frame of each (any equal length; energies only).
  void push(std::span<const Sample> capture, std::span<const Sample> playback);
  // The echo delay in frames, once an estimate has been confident; it then holds
  // the last confident value.
  std::optional<size_t> delay_frames() const { return delay_; }
  void reset();

 private:
  void estimate();

  EchoDelayConfig config_;
  // Log energies, circular, newest at (next_ - 1); far keeps max_delay more frames.
  std::vector<double> capture_log_;
  std::vector<double> far_log_;
  size_t frames_ = 0;
  std::vector<double> correlations_;  // scratch, one per lag
  // Scratch: log-energy changes, newest first (capture: window; far: window + max delay).
  std::vector<double> capture_changes_;
  std::vector<double> far_changes_;
  std::optional<size_t> candidate_;  // the last confident lag
  size_t agreeing_ = 0;              // confident estimates in a row near candidate_
  std::optional<size_t> delay_;
};

}  // namespace koe
