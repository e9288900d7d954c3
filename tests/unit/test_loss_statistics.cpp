// LossStatistics: network loss by sequence number (reordering is not loss), burstiness,
// residual concealment and receive rate, turned into LossReports.
#include <gtest/gtest.h>

#include "audio/loss_statistics.hpp"

namespace koe {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(LossStatistics, CountsEveryFifthPacketLost) {
  LossStatistics s;
  for (int64_t q = 0; q < 1000; ++q)
    if (q % 5 != 2) s.on_packet(TimePoint(milliseconds(q * 20)), q, 100);
  const LossReport r = s.make_report(TimePoint(seconds(20)), milliseconds(40), milliseconds(3));
  EXPECT_NEAR(from_fraction256(r.loss_fraction), 0.2, 0.01);
  EXPECT_EQ(r.burst_fraction, 0);  // never two in a row
  EXPECT_EQ(r.jitter_ms, 40);
  EXPECT_EQ(r.queue_delay_ms, 3);
  EXPECT_NEAR(r.receive_kbps, 800 * 100 * 8 / 20000, 1);
}

TEST(LossStatistics, ReorderingAndDuplicatesAreNotLoss) {
  LossStatistics s;
  for (int64_t q = 0; q < 1000; q += 2) {
    s.on_packet(TimePoint{}, q + 1, 50);  // pairs swapped
    s.on_packet(TimePoint{}, q, 50);
    s.on_packet(TimePoint{}, q, 50);  // and duplicated
  }
  EXPECT_EQ(s.make_report(TimePoint(seconds(1)), {}, {}).loss_fraction, 0);
  EXPECT_EQ(s.packets_lost(), 0u);
}

TEST(LossStatistics, BurstsShowInTheBurstFraction) {
  LossStatistics s;
  for (int64_t q = 0; q < 1000; ++q)
    if (q % 10 >= 4) s.on_packet(TimePoint{}, q, 50);  // runs of 4 lost
  const LossReport r = s.make_report(TimePoint(seconds(1)), {}, {});
  EXPECT_NEAR(from_fraction256(r.loss_fraction), 0.4, 0.01);
  EXPECT_NEAR(from_fraction256(r.burst_fraction), 0.75, 0.01);
}

TEST(LossStatistics, ReportsCoverTheirOwnIntervalAndCountUp) {
  LossStatistics s;
  for (int64_t q = 0; q < 500; ++q)
    if (q % 2 == 0) s.on_packet(TimePoint{}, q, 50);
  const LossReport lossy = s.make_report(TimePoint(seconds(1)), {}, {});
  for (int64_t q = 500; q < 1000; ++q) s.on_packet(TimePoint{}, q, 50);
  const LossReport clean = s.make_report(TimePoint(seconds(2)), {}, {});
  EXPECT_GT(lossy.loss_fraction, 100);
  EXPECT_LT(clean.loss_fraction, 8);  // the first settled packets were the lossy interval's
  EXPECT_EQ(uint8_t(lossy.report_id + 1), clean.report_id);
}

TEST(LossStatistics, ResidualCountsConcealedFrames) {
  LossStatistics s;
  for (int i = 0; i < 100; ++i) s.on_frame_played(i % 25 == 0);
  EXPECT_NEAR(from_fraction256(s.make_report(TimePoint{}, {}, {}).residual_fraction), 0.04, 0.005);
}

TEST(LossStatistics, AHugeJumpIsANewStreamNotLoss) {
  LossStatistics s;
  for (int64_t q = 0; q < 100; ++q) s.on_packet(TimePoint{}, q, 50);
  for (int64_t q = 100000; q < 100100; ++q) s.on_packet(TimePoint{}, q, 50);
  EXPECT_EQ(s.packets_lost(), 0u);
  // A gap of a few seconds is a real outage.
  for (int64_t q = 100300; q < 100400; ++q) s.on_packet(TimePoint{}, q, 50);
  EXPECT_EQ(s.packets_lost(), 200u);
}

TEST(LossReport, FractionsSaturate) {
  EXPECT_EQ(to_fraction256(1.0), 255);
  EXPECT_EQ(to_fraction256(-0.5), 0);
  EXPECT_EQ(to_fraction256(0.5), 128);
}

}  // namespace
}  // namespace koe
