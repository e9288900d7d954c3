#include "tests/sim/event_queue.hpp"

#include <algorithm>

namespace koe::sim {

void EventQueue::push(TimePoint at, Kind kind, uint32_t slot) {
  heap_.push_back(Entry{at, next_seq_++, slot, kind});
  std::push_heap(heap_.begin(), heap_.end(), later);
}

EventQueue::Entry EventQueue::pop() {
  std::pop_heap(heap_.begin(), heap_.end(), later);
  const Entry e = heap_.back();
  heap_.pop_back();
  return e;
}

}  // namespace koe::sim
