// DelayEstimator: the target follows the arrival-delay distribution's high percentile,
// jumps for late packets, decays slowly, ignores clock skew; queue delay shows queueing.
#include <gtest/gtest.h>

#include <random>

#include "audio/delay_estimator.hpp"

namespace koe {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

double ms(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Feeds `n` 20 ms packets starting at packet `first`; extra delay from `extra(k)`.
template <typename Extra>
void feed(DelayEstimator& e, int first, int n, Extra extra, double skew_ppm = 0) {
  for (int k = first; k < first + n; ++k) {
    const auto send = microseconds(int64_t(k * 20000.0 * (1 + skew_ppm * 1e-6)));
    e.on_arrival(TimePoint(send + milliseconds(30) + extra(k)), int64_t(k) * 960);
  }
}

TEST(DelayEstimator, SteadyPathNeedsAlmostNothing) {
  DelayEstimator e;
  feed(e, 0, 3000, [](int) { return Duration(0); });
  EXPECT_LT(ms(e.target()), 2.0);
  EXPECT_LT(ms(e.queue_delay()), 1.0);
}

TEST(DelayEstimator, TargetCoversTheNinetyFifthPercentile) {
  DelayEstimator e;
  std::mt19937 rng(5);
  feed(e, 0, 5000, [&](int) { return Duration(microseconds(rng() % 40000)); });  // uniform 0-40 ms
  EXPECT_GT(ms(e.target()), 33.0);
  EXPECT_LT(ms(e.target()), 42.0);
}

TEST(DelayEstimator, LatePacketRaisesTheTargetAtOnce) {
  DelayEstimator e;
  feed(e, 0, 1000, [](int) { return Duration(0); });
  const Duration relative = e.on_arrival(TimePoint(milliseconds(1000 * 20 + 30 + 90)), 1000 * 960);
  EXPECT_NEAR(ms(relative), 90.0, 0.5);
  EXPECT_NEAR(ms(e.target()), 90.0, 0.5);
  feed(e, 1001, 250, [](int) { return Duration(0); });  // 5 s later: still well up
  EXPECT_GT(ms(e.target()), 40.0);
  feed(e, 1251, 3000, [](int) { return Duration(0); });  // a minute later: down
  EXPECT_LT(ms(e.target()), 3.0);
}

TEST(DelayEstimator, ClockSkewIsNotJitter) {
  DelayEstimator e;
  feed(e, 0, 180000, [](int) { return Duration(0); }, 100);  // an hour, sender 100 ppm slow
  EXPECT_LT(ms(e.target()), 2.0);
}

TEST(DelayEstimator, QueueDelayRisesWhileAQueueBuilds) {
  DelayEstimator e;
  feed(e, 0, 1500, [](int) { return Duration(0); });
  feed(e, 1500, 250, [](int k) { return Duration(milliseconds((k - 1500) / 2)); });  // +125 ms over 5 s
  EXPECT_GT(ms(e.queue_delay()), 80.0);
  e.reset();
  EXPECT_EQ(e.queue_delay(), Duration(0));
  EXPECT_EQ(e.target(), DelayEstimatorConfig{}.initial_target);
}

}  // namespace
}  // namespace koe
