// ReplayWindow: RFC 6479 sliding anti-replay bitmap over 64-bit counters
// (8,192 bits in 64-bit blocks; accepts any unseen counter within the last 8,128).
// Plain value, one owner thread; the zero value is an empty, usable window.
#pragma once

#include <array>
#include <cstdint>

namespace koe {

class ReplayWindow {
 public:
  static constexpr uint64_t kBlockBits = 64;
  static constexpr uint64_t kRingBlocks = 128;  // 8,192 bits
  // One block is always being recycled, so this many counters behind the newest
  // one are still tracked.
  static constexpr uint64_t kWindowSize = (kRingBlocks - 1) * kBlockBits;

  // Records `counter` and returns true if it was not seen before and is not too
  // old; returns false (and changes nothing) for a replay or an expired counter.
  // Call only after the packet authenticated: otherwise forged counters would
  // slide the window.
  bool check_and_update(uint64_t counter);

  // The highest counter accepted so far (0 before any).
  uint64_t highest() const { return highest_; }

 private:
  uint64_t highest_ = 0;
  std::array<uint64_t, kRingBlocks> ring_{};
};

}  // namespace koe
