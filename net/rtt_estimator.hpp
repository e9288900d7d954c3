// RttEstimator: a smoothed round-trip time and the retransmission timeout derived
// from it, as TCP computes them (RFC 6298: srtt + 4 * rttvar, clamped), so that
// requests are resent soon after a loss on a fast path without firing early on a
// slow one. Samples must come from answers to requests sent once (each retry is a
// new request), so Karn's ambiguity does not arise.
#pragma once

#include <algorithm>
#include <optional>

#include "net/clock.hpp"

namespace koe {

class RttEstimator {
 public:
  RttEstimator(Duration initial_rto, Duration min_rto, Duration max_rto)
      : initial_(initial_rto), min_(min_rto), max_(max_rto) {}

  void sample(Duration rtt) {
    rtt = std::max(rtt, Duration{0});
    if (!srtt_) {
      srtt_ = rtt;
      rttvar_ = rtt / 2;
      return;
    }
    const Duration error = *srtt_ > rtt ? *srtt_ - rtt : rtt - *srtt_;
    rttvar_ = (3 * rttvar_ + error) / 4;
    srtt_ = (7 * *srtt_ + rtt) / 8;
  }
  // Forget the path (e.g. we moved to another server).
  void reset() { srtt_.reset(); }

  Duration rto() const { return srtt_ ? std::clamp(*srtt_ + 4 * rttvar_, min_, max_) : initial_; }
  // The timeout after `retries` unanswered attempts in a row: doubled each time.
  Duration backed_off(unsigned retries) const {
    Duration timeout = rto();
    for (unsigned i = 0; i < retries && timeout < max_; ++i) timeout *= 2;
    return std::min(timeout, max_);
  }
  std::optional<Duration> smoothed() const { return srtt_; }

 private:
  Duration initial_;
  Duration min_;
  Duration max_;
  std::optional<Duration> srtt_;
  Duration rttvar_{0};
};

}  // namespace koe
