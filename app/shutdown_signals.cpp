#include "app/shutdown_signals.hpp"

#include <algorithm>

#include <pthread.h>
#include <signal.h>

#include <cerrno>

namespace koe {

namespace {

sigset_t shutdown_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

sigset_t g_previous_mask;

}  // namespace

ShutdownSignals::ShutdownSignals() {
  const sigset_t set = shutdown_set();
  pthread_sigmask(SIG_BLOCK, &set, &g_previous_mask);
}

ShutdownSignals::~ShutdownSignals() { pthread_sigmask(SIG_SETMASK, &g_previous_mask, nullptr); }

std::optional<int> ShutdownSignals::wait(std::optional<Duration> limit) const {
  const sigset_t set = shutdown_set();
  const SteadyClock clock;
  const TimePoint deadline = limit ? clock.now() + *limit : kNever;
  for (;;) {
    int signal_number = -1;
    if (!limit) {
      if (sigwait(&set, &signal_number) == 0) return signal_number;
      continue;
    }
    // A zero or passed limit still takes a signal that is already pending.
    const Duration left = std::max(deadline - clock.now(), Duration::zero());
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(left);
    const timespec ts{static_cast<time_t>(secs.count()),
                      static_cast<long>((left - secs).count() * 1000)};
    signal_number = sigtimedwait(&set, nullptr, &ts);
    if (signal_number > 0) return signal_number;
    if (left == Duration::zero() || clock.now() >= deadline) return std::nullopt;
    // EINTR: another signal arrived; wait on.
  }
}

}  // namespace koe
