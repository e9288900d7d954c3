// The simulator's agenda: a binary min-heap over a flat vector, ordered by (time,
// insertion sequence) so events due at the same instant run in the order they were
// scheduled and every run with the same seed is identical. One thread; owns its entries.
#pragma once

#include <cstdint>
#include <vector>

#include "net/clock.hpp"

namespace koe::sim {

class EventQueue {
 public:
  enum class Kind : uint8_t { kDatagram, kTimer };
  struct Entry {
    TimePoint at;
    uint64_t seq;
    uint32_t slot;  // index into the owner's datagram or timer table
    Kind kind;
  };

  void push(TimePoint at, Kind kind, uint32_t slot);
  // Precondition: !empty().
  Entry pop();
  const Entry& top() const { return heap_.front(); }
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }

 private:
  static bool later(const Entry& a, const Entry& b) {
    return a.at != b.at ? a.at > b.at : a.seq > b.seq;
  }
  std::vector<Entry> heap_;
  uint64_t next_seq_ = 0;
};

}  // namespace koe::sim
