// RFC 6479 replay window: zero value, duplicates, window edge, large jumps, and
// agreement with a simple reference model on a long seeded random sequence.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "net/replay_window.hpp"

namespace koe {
namespace {

TEST(ReplayWindow, ZeroValueAcceptsCounterZeroOnce) {
  ReplayWindow window;
  EXPECT_TRUE(window.check_and_update(0));
  EXPECT_FALSE(window.check_and_update(0));
  EXPECT_TRUE(window.check_and_update(1));
}

TEST(ReplayWindow, TracksAtLeast2048PacketsBack) {
  static_assert(ReplayWindow::kWindowSize >= 2048);
  ReplayWindow window;
  const uint64_t head = 100'000;
  ASSERT_TRUE(window.check_and_update(head));
  EXPECT_TRUE(window.check_and_update(head - ReplayWindow::kWindowSize));       // oldest tracked
  EXPECT_FALSE(window.check_and_update(head - ReplayWindow::kWindowSize - 1));  // too old
  EXPECT_TRUE(window.check_and_update(head - 2048));
  EXPECT_FALSE(window.check_and_update(head - 2048));
}

TEST(ReplayWindow, OutOfOrderWithinTheWindowIsAcceptedOnce) {
  ReplayWindow window;
  for (uint64_t k = 0; k < 300; ++k) EXPECT_TRUE(window.check_and_update(1000 - 3 * k));
  for (uint64_t k = 0; k < 300; ++k) EXPECT_FALSE(window.check_and_update(1000 - 3 * k));
  for (uint64_t k = 0; k < 300; ++k) EXPECT_TRUE(window.check_and_update(999 - 3 * k));
}

TEST(ReplayWindow, LargeJumpForgetsEverythingBehindTheWindow) {
  ReplayWindow window;
  for (uint64_t c = 0; c < 500; ++c) ASSERT_TRUE(window.check_and_update(c));
  const uint64_t far = uint64_t{1} << 40;
  EXPECT_TRUE(window.check_and_update(far));
  EXPECT_EQ(window.highest(), far);
  EXPECT_FALSE(window.check_and_update(499));
  // Counters just behind the new head were never seen: bits must be clear.
  for (uint64_t c = far - 1; c > far - 200; --c) EXPECT_TRUE(window.check_and_update(c));
}

TEST(ReplayWindow, BlockBoundariesAreHandled) {
  ReplayWindow window;
  for (uint64_t c : {63u, 64u, 127u, 128u, 8191u, 8192u, 8193u}) {
    EXPECT_TRUE(window.check_and_update(c)) << c;
    EXPECT_FALSE(window.check_and_update(c)) << c;
  }
}

TEST(ReplayWindow, AgreesWithAReferenceModel) {
  // Reference: a set of everything seen, with the same acceptance rule.
  std::mt19937_64 rng(20240601);
  ReplayWindow window;
  std::set<uint64_t> seen;
  uint64_t highest = 0;
  bool any = false;
  uint64_t next = 0;
  for (int i = 0; i < 200'000; ++i) {
    uint64_t counter;
    switch (rng() % 4) {
      case 0: counter = next++; break;  // in order
      case 1:
        counter = next > 0 ? next - 1 - rng() % std::min<uint64_t>(next, 9000) : 0;
        break;  // late or dup
      case 2:
        next += rng() % 100;
        counter = next;
        break;                                        // gap
      default: counter = next + rng() % 3000; break;  // ahead
    }
    const bool too_old = any && highest > counter && highest - counter > ReplayWindow::kWindowSize;
    const bool expected = !too_old && !seen.count(counter);
    ASSERT_EQ(window.check_and_update(counter), expected) << "step " << i << " counter " << counter;
    if (expected) {
      seen.insert(counter);
      highest = std::max(highest, counter);
      any = true;
    }
  }
}

}  // namespace
}  // namespace koe
