#include "audio/echo_delay_estimator.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace koe {

namespace {

// Log energy with a floor near one 16-bit step, so digital silence stays finite
// and faint hiss does not look like structure.
double log_energy(std::span<const Sample> frame) {
  double e = 0;
  for (Sample s : frame) e += double(s) * double(s);
  return std::log10(e / double(std::max<size_t>(frame.size(), 1)) + 100.0);
}

}  // namespace

EchoDelayEstimator::EchoDelayEstimator(EchoDelayConfig config)
    : config_(config),
      capture_log_(config.window_frames + 1),
      far_log_(config.window_frames + config.max_delay_frames + 1),
      correlations_(config.max_delay_frames + 1),
      capture_changes_(config.window_frames),
      far_changes_(config.window_frames + config.max_delay_frames) {
  if (config.window_frames < 10 || config.update_every_frames == 0)
    throw std::invalid_argument("echo delay estimator needs a window of at least 10 frames");
}

void EchoDelayEstimator::reset() {
  std::fill(capture_log_.begin(), capture_log_.end(), 0.0);
  std::fill(far_log_.begin(), far_log_.end(), 0.0);
  frames_ = 0;
  candidate_.reset();
  agreeing_ = 0;
  delay_.reset();
}

void EchoDelayEstimator::push(std::span<const Sample> capture, std::span<const Sample> playback) {
  capture_log_[frames_ % capture_log_.size()] = log_energy(capture);
  far_log_[frames_ % far_log_.size()] = log_energy(playback);
  ++frames_;
  if (frames_ >= far_log_.size() && frames_ % config_.update_every_frames == 0) estimate();
}

void EchoDelayEstimator::estimate() {
  const size_t w = config_.window_frames;
  // Changes of log energy (onsets and decays: sharper peaks than the envelopes
  // themselves) at frame t of the window (0 = oldest) of the capture, and `lag`
  // frames before it of the far end.
  const auto at = [&](const std::vector<double>& log, size_t back) {
    return log[(frames_ - 1 - back) % log.size()] - log[(frames_ - 2 - back) % log.size()];
  };
  // Unrolled from the circular logs once: the lag loop below would otherwise spend
  // most of its time on the modulo.
  for (size_t back = 0; back < capture_changes_.size(); ++back) capture_changes_[back] = at(capture_log_, back);
  for (size_t back = 0; back < far_changes_.size(); ++back) far_changes_[back] = at(far_log_, back);
  const auto cap = [&](size_t t) { return capture_changes_[w - 1 - t]; };
  const auto far = [&](size_t t, size_t lag) { return far_changes_[w - 1 - t + lag]; };

  double cap_mean = 0, cap_var = 0;
  for (size_t t = 0; t < w; ++t) cap_mean += cap(t);
  cap_mean /= double(w);
  for (size_t t = 0; t < w; ++t) cap_var += (cap(t) - cap_mean) * (cap(t) - cap_mean);

  for (size_t lag = 0; lag <= config_.max_delay_frames; ++lag) {
    double far_mean = 0;
    for (size_t t = 0; t < w; ++t) far_mean += far(t, lag);
    far_mean /= double(w);
    double cov = 0, far_var = 0;
    for (size_t t = 0; t < w; ++t) {
      cov += (cap(t) - cap_mean) * (far(t, lag) - far_mean);
      far_var += (far(t, lag) - far_mean) * (far(t, lag) - far_mean);
    }
    correlations_[lag] = cap_var > 1e-9 && far_var > 1e-9 ? cov / std::sqrt(cap_var * far_var) : 0.0;
  }
  const auto best = std::max_element(correlations_.begin(), correlations_.end());
  const double peak = *best;
  const auto best_lag = static_cast<size_t>(best - correlations_.begin());
  if (peak < config_.min_correlation) {
    agreeing_ = 0;
    return;
  }
  // Double talk and pauses can make one window point elsewhere: believe a lag only
  // once several windows in a row agree on it (within a frame).
  if (candidate_ && (best_lag + 1 >= *candidate_ && best_lag <= *candidate_ + 1)) {
    ++agreeing_;
  } else {
    agreeing_ = 1;
  }
  candidate_ = best_lag;
  if (agreeing_ >= config_.agreeing_estimates) delay_ = best_lag;
}

}  // namespace koe
