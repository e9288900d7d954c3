#include "tests/sim/timeout_driver.hpp"

namespace koe::sim {

TimeoutDriver::TimeoutDriver(SimNetwork& network, std::function<TimePoint()> next_timeout,
                             std::function<void(TimePoint)> on_timer)
    : network_(network), next_timeout_(std::move(next_timeout)), on_timer_(std::move(on_timer)) {
  rearm();
}

TimeoutDriver::~TimeoutDriver() {
  if (armed_) network_.cancel(*armed_);
}

void TimeoutDriver::rearm() {
  const TimePoint due = next_timeout_();
  if (armed_ && due == armed_at_) return;
  if (armed_) network_.cancel(*armed_);
  armed_.reset();
  armed_at_ = due;
  if (due == kNever) return;
  armed_ = network_.schedule(due, [this](TimePoint now) { fire(now); });
}

void TimeoutDriver::fire(TimePoint now) {
  armed_.reset();
  armed_at_ = kNever;
  on_timer_(now);
  rearm();
}

}  // namespace koe::sim
