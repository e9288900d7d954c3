// DelayEstimator: how much buffering a jitter buffer needs, from the observed arrival
// delay of voice packets (as NetEQ: each packet's delay relative to the fastest packet
// of the last 2 s, a forgetting histogram, its 95th percentile). The target jumps up at
// once for a late packet and comes down slowly. Also the queueing delay (delay above
// its 30 s minimum) that the receiver reports as a congestion signal.
// Sans-IO; one owner thread (the audio worker).
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "net/clock.hpp"

namespace koe {

struct DelayEstimatorConfig {
  double quantile = 0.95;
  // Per packet; 0.997 remembers about the last 330 packets (7 s of 20 ms frames).
  double forget = 0.997;
  Duration initial_target = std::chrono::milliseconds(20);
  Duration max_target = std::chrono::milliseconds(800);
  // After a spike the target falls back toward the percentile with this time constant.
  Duration decay_time = std::chrono::seconds(8);
};

class DelayEstimator {
 public:
  explicit DelayEstimator(DelayEstimatorConfig config = {});

  // A packet whose media starts at `timestamp` (48 kHz samples, extended) arrived.
  // Returns its delay relative to the fastest packet of the last 2 s.
  Duration on_arrival(TimePoint arrival, int64_t timestamp);
  void reset();

  // Buffering that covers the arrival jitter (not counting the frame being played).
  Duration target() const;
  // Recent minimum delay minus the long-run minimum: grows while a queue builds.
  Duration queue_delay() const;

 private:
  static constexpr int kBucketMs = 1;
  // Relative delay in ms of this arrival against the fastest of the last 2 s.
  double relative_delay(TimePoint arrival, double delay_ms);
  void update_histogram(double relative_ms);
  double histogram_quantile() const;
  void update_queue(TimePoint arrival, double delay_ms);

  DelayEstimatorConfig config_;
  bool started_ = false;
  TimePoint first_arrival_{};
  int64_t first_timestamp_ = 0;

  struct Sample {
    TimePoint arrival;
    double delay_ms;
  };
  std::deque<Sample> recent_;  // last 2 s, delays increasing (a monotonic min-queue)

  std::vector<double> histogram_;  // mass per kBucketMs of relative delay
  double target_ms_;
  TimePoint last_arrival_{};

  // Per-second minima of the delay over the last 30 s, newest last.
  struct SecondMin {
    int64_t second;
    double delay_ms;
  };
  std::deque<SecondMin> minima_;
};

}  // namespace koe
