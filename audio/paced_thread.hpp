// PacedThread: a thread that calls tick(now) once per period at absolute
// steady-clock deadlines (start + k * period), so lateness never accumulates into
// drift. The owner thread constructs and destroys it; tick runs on its thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "net/clock.hpp"

namespace koe {

class PacedThread {
 public:
  PacedThread(Duration period, std::function<void(TimePoint)> tick);
  ~PacedThread();  // stops promptly (does not wait out the period) and joins
  PacedThread(const PacedThread&) = delete;
  PacedThread& operator=(const PacedThread&) = delete;

 private:
  void run();

  const Duration period_;
  const std::function<void(TimePoint)> tick_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after everything it uses exists
};

}  // namespace koe
