// Per-source token bucket: burst, sustained rate, independence of sources,
// bounded table with least-recently-seen eviction, and a clock going backwards.
#include <gtest/gtest.h>

#include "net/rate_limiter.hpp"

namespace koe {
namespace {

using namespace std::chrono_literals;

const TimePoint kStart = TimePoint{} + 100s;
constexpr uint32_t kIp = 0x7f000001;

int allowed_now(RateLimiter& limiter, TimePoint now, uint32_t ip, int tries) {
  int ok = 0;
  for (int i = 0; i < tries; ++i) ok += limiter.allow(now, ip) ? 1 : 0;
  return ok;
}

TEST(RateLimiter, AllowsTheBurstThenRefusesUntilTokensAccrue) {
  RateLimiter limiter({.per_second = 20, .burst = 5, .max_sources = 16});
  EXPECT_EQ(allowed_now(limiter, kStart, kIp, 50), 5);
  EXPECT_FALSE(limiter.allow(kStart + 49ms, kIp));
  EXPECT_TRUE(limiter.allow(kStart + 50ms, kIp));  // one token per 50 ms
  EXPECT_FALSE(limiter.allow(kStart + 50ms, kIp));
}

TEST(RateLimiter, SustainedRateMatchesTheConfiguration) {
  RateLimiter limiter({.per_second = 20, .burst = 5, .max_sources = 16});
  int ok = 0;
  for (int ms = 0; ms < 10'000; ++ms)
    ok += limiter.allow(kStart + std::chrono::milliseconds(ms), kIp);
  EXPECT_EQ(ok, 5 + 20 * 10 - 1);  // the burst, then one per 50 ms
}

TEST(RateLimiter, QuietSourceRefillsOnlyToTheBurst) {
  RateLimiter limiter({.per_second = 20, .burst = 5, .max_sources = 16});
  allowed_now(limiter, kStart, kIp, 10);
  EXPECT_EQ(allowed_now(limiter, kStart + 1h, kIp, 50), 5);
}

TEST(RateLimiter, SourcesHaveIndependentBuckets) {
  RateLimiter limiter({.per_second = 20, .burst = 5, .max_sources = 16});
  EXPECT_EQ(allowed_now(limiter, kStart, kIp, 10), 5);
  EXPECT_EQ(allowed_now(limiter, kStart, kIp + 1, 10), 5);
}

TEST(RateLimiter, TableStaysBoundedAndEvictsTheLeastRecentlySeen) {
  RateLimiter limiter({.per_second = 1, .burst = 1, .max_sources = 100});
  for (uint32_t ip = 0; ip < 10'000; ++ip) limiter.allow(kStart, ip);
  EXPECT_EQ(limiter.tracked_sources(), 100u);
  // 9,999 is remembered (and empty); 0 was evicted long ago, so it starts afresh.
  EXPECT_FALSE(limiter.allow(kStart, 9'999));
  EXPECT_TRUE(limiter.allow(kStart, 0));
  EXPECT_EQ(limiter.tracked_sources(), 100u);
}

TEST(RateLimiter, ClockGoingBackwardsEarnsNothing) {
  RateLimiter limiter({.per_second = 20, .burst = 5, .max_sources = 16});
  allowed_now(limiter, kStart, kIp, 5);
  EXPECT_FALSE(limiter.allow(kStart - 10s, kIp));
  EXPECT_FALSE(limiter.allow(kStart, kIp));
}

}  // namespace
}  // namespace koe
