#include "audio/delay_estimator.hpp"

#include <algorithm>
#include <cmath>

#include "audio/audio_format.hpp"

namespace koe {

namespace {

constexpr Duration kRelativeWindow = std::chrono::seconds(2);
constexpr int64_t kQueueBaseSeconds = 30;
constexpr int64_t kQueueRecentSeconds = 2;  // the current second and the one before

double to_ms(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
Duration from_ms(double ms) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::milli>(ms));
}

}  // namespace

DelayEstimator::DelayEstimator(DelayEstimatorConfig config)
    : config_(config),
      histogram_(static_cast<size_t>(to_ms(config.max_target) / kBucketMs) + 1, 0.0),
      target_ms_(to_ms(config.initial_target)) {}

void DelayEstimator::reset() {
  started_ = false;
  recent_.clear();
  std::fill(histogram_.begin(), histogram_.end(), 0.0);
  target_ms_ = to_ms(config_.initial_target);
  minima_.clear();
}

Duration DelayEstimator::on_arrival(TimePoint arrival, int64_t timestamp) {
  if (!started_) {
    started_ = true;
    first_arrival_ = arrival;
    first_timestamp_ = timestamp;
    last_arrival_ = arrival;
  }
  // Arrival time minus send time, up to a constant: only differences matter.
  const double delay_ms = to_ms(arrival - first_arrival_) -
                          double(timestamp - first_timestamp_) * 1000.0 / kSampleRate;
  const double relative_ms = relative_delay(arrival, delay_ms);
  update_histogram(relative_ms);
  update_queue(arrival, delay_ms);

  const double percentile = histogram_quantile();
  if (relative_ms > target_ms_) {
    target_ms_ = relative_ms;  // a late packet: make room for its like at once
  } else if (percentile < target_ms_) {
    const double dt = std::max(0.0, to_ms(arrival - last_arrival_));
    const double step = std::min(1.0, dt / to_ms(config_.decay_time));
    target_ms_ -= (target_ms_ - percentile) * step;
  } else {
    target_ms_ = percentile;
  }
  target_ms_ = std::min(target_ms_, to_ms(config_.max_target));
  last_arrival_ = std::max(last_arrival_, arrival);
  return from_ms(relative_ms);
}

double DelayEstimator::relative_delay(TimePoint arrival, double delay_ms) {
  // Keep the window's delays increasing from the front: the front is its minimum.
  while (!recent_.empty() && recent_.back().delay_ms >= delay_ms) recent_.pop_back();
  recent_.push_back({arrival, delay_ms});
  while (recent_.front().arrival + kRelativeWindow < arrival) recent_.pop_front();
  return std::max(0.0, delay_ms - recent_.front().delay_ms);
}

void DelayEstimator::update_histogram(double relative_ms) {
  for (double& mass : histogram_) mass *= config_.forget;
  const auto bucket = std::min(histogram_.size() - 1, static_cast<size_t>(relative_ms / kBucketMs));
  histogram_[bucket] += 1.0 - config_.forget;
}

double DelayEstimator::histogram_quantile() const {
  double total = 0.0;
  for (const double mass : histogram_) total += mass;
  double below = 0.0;
  for (size_t i = 0; i < histogram_.size(); ++i) {
    below += histogram_[i];
    if (below >= config_.quantile * total) return double((i + 1) * kBucketMs);
  }
  return double(histogram_.size() * kBucketMs);
}

void DelayEstimator::update_queue(TimePoint arrival, double delay_ms) {
  const int64_t second = std::chrono::duration_cast<std::chrono::seconds>(arrival - first_arrival_).count();
  if (minima_.empty() || minima_.back().second != second) {
    minima_.push_back({second, delay_ms});
  } else {
    minima_.back().delay_ms = std::min(minima_.back().delay_ms, delay_ms);
  }
  while (minima_.front().second + kQueueBaseSeconds <= second) minima_.pop_front();
}

Duration DelayEstimator::target() const { return from_ms(target_ms_); }

Duration DelayEstimator::queue_delay() const {
  if (minima_.empty()) return Duration{0};
  const int64_t newest = minima_.back().second;
  double base = minima_.front().delay_ms, recent = minima_.back().delay_ms;
  for (const SecondMin& m : minima_) {
    base = std::min(base, m.delay_ms);
    if (m.second + kQueueRecentSeconds > newest) recent = std::min(recent, m.delay_ms);
  }
  return from_ms(recent - base);
}

}  // namespace koe
