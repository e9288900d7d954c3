#include "net/replay_window.hpp"

namespace koe {

bool ReplayWindow::check_and_update(uint64_t counter) {
  const uint64_t block = counter / kBlockBits;
  if (counter > highest_) {
    // Slide forward: clear every block between the old head and the new one
    // (all of them at most, when the jump is larger than the ring).
    const uint64_t current = highest_ / kBlockBits;
    uint64_t advance = block - current;
    if (advance > kRingBlocks) advance = kRingBlocks;
    for (uint64_t i = 1; i <= advance; ++i) ring_[(current + i) % kRingBlocks] = 0;
    highest_ = counter;
  } else if (highest_ - counter > kWindowSize) {
    return false;
  }
  uint64_t& bits = ring_[block % kRingBlocks];
  const uint64_t bit = uint64_t{1} << (counter % kBlockBits);
  if (bits & bit) return false;
  bits |= bit;
  return true;
}

}  // namespace koe
