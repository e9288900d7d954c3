#include "net/upstream_meter.hpp"

#include <algorithm>

namespace koe {

UpstreamMeter::UpstreamMeter(Random& random, UpstreamMeterConfig config) : random_(random), config_(config) {
  config_.train_length = std::clamp(config_.train_length, kMinUpstreamTrainLength, kMaxUpstreamTrainLength);
  config_.keep = std::max<size_t>(config_.keep, 1);
}

void UpstreamMeter::set_target(TimePoint now, std::optional<Endpoint> target) {
  if (target == target_) return;
  target_ = target;
  if (!target_) {
    next_train_ = kNever;
    return;
  }
  // A first target, or one after a gap: measure soon, but never sooner than planned.
  if (next_train_ == kNever) next_train_ = now + config_.first_delay;
}

void UpstreamMeter::on_datagram(TimePoint now, const Endpoint& from, ByteView bytes) {
  const auto report = decode_upstream_report(bytes);
  if (!report || !pending_id_ || report->train_id != *pending_id_ || from != pending_to_) {
    ++counters_.ignored;
    return;
  }
  pending_id_.reset();
  pending_deadline_ = kNever;
  ++counters_.reports;
  results_.push_back(upstream_kbps(*report));
  if (results_.size() > config_.keep) results_.pop_front();
  ++results_total_;
  if (target_)
    next_train_ = now + (results_total_ < config_.warmup_trains ? config_.warmup_spacing : config_.interval);
}

void UpstreamMeter::on_timer(TimePoint now) {
  if (pending_id_ && now >= pending_deadline_) {
    pending_id_.reset();
    pending_deadline_ = kNever;
    ++counters_.unanswered;
    if (target_) next_train_ = now + config_.retry;
  }
  if (!pending_id_ && !paused_ && target_ && now >= next_train_) send_train(now);
}

TimePoint UpstreamMeter::next_timeout() const {
  if (pending_id_) return pending_deadline_;
  return paused_ || !target_ ? kNever : next_train_;
}

std::optional<double> UpstreamMeter::kbps() const {
  if (results_.empty()) return std::nullopt;
  return *std::max_element(results_.begin(), results_.end());
}

std::optional<double> UpstreamMeter::last_kbps() const {
  if (results_.empty()) return std::nullopt;
  return results_.back();
}

void UpstreamMeter::send_train(TimePoint now) {
  const uint64_t id = random_.next_u64();
  for (uint8_t i = 0; i < config_.train_length; ++i)
    outbox_.push_back({*target_, encode_upstream_train({.train_id = id, .index = i, .count = config_.train_length})});
  pending_id_ = id;
  pending_to_ = *target_;
  pending_deadline_ = now + config_.report_timeout;
  next_train_ = kNever;
  ++counters_.trains_sent;
}

}  // namespace koe
