// Time vocabulary: cores receive `now` as a TimePoint and never read a clock.
// Clock is the injected source drivers use (real or virtual); any thread.
#pragma once

#include <chrono>
#include <cstdint>

namespace koe {

using Duration = std::chrono::microseconds;
// A monotonic instant in microseconds. Real drivers use steady_clock's epoch;
// the simulator starts virtual time at zero.
using TimePoint = std::chrono::time_point<std::chrono::steady_clock, Duration>;

inline constexpr TimePoint kNever = TimePoint::max();

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

// The machine's monotonic clock.
class SteadyClock final : public Clock {
 public:
  TimePoint now() const override {
    return std::chrono::time_point_cast<Duration>(std::chrono::steady_clock::now());
  }
};

// A clock that only moves when told to: for tests and the simulator.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint{}) : now_(start) {}
  TimePoint now() const override { return now_; }
  void set(TimePoint t) { now_ = t; }
  void advance(Duration d) { now_ += d; }

 private:
  TimePoint now_;
};

}  // namespace koe
