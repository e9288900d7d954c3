// ShutdownSignals: SIGINT and SIGTERM delivered synchronously (sigtimedwait)
// instead of through an async handler. Construct on the main thread before any
// other thread starts, so every thread inherits the blocked mask.
#pragma once

#include <optional>

#include "net/clock.hpp"

namespace koe {

class ShutdownSignals {
 public:
  ShutdownSignals();   // blocks SIGINT and SIGTERM for this thread and its future children
  ~ShutdownSignals();  // restores the previous mask

  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // Waits for SIGINT/SIGTERM, at most `limit` (forever when empty). Returns the
  // signal number, or nullopt when the limit passed first.
  std::optional<int> wait(std::optional<Duration> limit) const;
};

}  // namespace koe
