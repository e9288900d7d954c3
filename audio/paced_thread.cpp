#include "audio/paced_thread.hpp"

#include <utility>

namespace koe {

PacedThread::PacedThread(Duration period, std::function<void(TimePoint)> tick)
    : period_(period), tick_(std::move(tick)), thread_([this] { run(); }) {}

PacedThread::~PacedThread() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void PacedThread::run() {
  const SteadyClock clock;
  TimePoint deadline = clock.now();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const TimePoint now = clock.now();
    lock.unlock();
    tick_(now);
    lock.lock();
    deadline += period_;
    // After a long stall (suspend, debugger) start counting again from now
    // rather than firing a burst of catch-up ticks; the tick's own frame
    // arithmetic decides what is due.
    if (now - deadline > 10 * period_) deadline = now + period_;
    wake_.wait_until(lock, deadline, [this] { return stopping_; });
  }
}

}  // namespace koe
