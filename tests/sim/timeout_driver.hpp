// Drives a sans-IO core's timers on the simulator: keeps exactly one simulator timer
// armed at the core's next_timeout() and calls its on_timer(now) when it comes due.
// Simulation thread only. Borrows the network and the two functions' targets.
#pragma once

#include <functional>
#include <optional>

#include "tests/sim/sim_network.hpp"

namespace koe::sim {

class TimeoutDriver {
 public:
  TimeoutDriver(SimNetwork& network, std::function<TimePoint()> next_timeout,
                std::function<void(TimePoint)> on_timer);
  // For any core with `TimePoint next_timeout() const` and `void on_timer(TimePoint)`.
  template <class Core>
  TimeoutDriver(SimNetwork& network, Core& core)
      : TimeoutDriver(
            network, [&core] { return core.next_timeout(); },
            [&core](TimePoint now) { core.on_timer(now); }) {}
  ~TimeoutDriver();
  TimeoutDriver(const TimeoutDriver&) = delete;
  TimeoutDriver& operator=(const TimeoutDriver&) = delete;

  // Call after anything that may move the core's next_timeout() (a datagram fed to it,
  // a command); the driver re-arms by itself after each on_timer.
  void rearm();

 private:
  void fire(TimePoint now);

  SimNetwork& network_;
  std::function<TimePoint()> next_timeout_;
  std::function<void(TimePoint)> on_timer_;
  std::optional<TimerId> armed_;
  TimePoint armed_at_ = kNever;
};

}  // namespace koe::sim
