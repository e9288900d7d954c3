// BitrateController: FEC, redundancy depth and bitrate follow the receiver's reports.
#include <gtest/gtest.h>

#include "audio/bitrate_controller.hpp"

#include <cmath>

namespace koe {
namespace {

struct Reporter {
  uint8_t id = 0;
  LossReport next(double loss, double burst = 0.0, uint16_t queue_ms = 0) {
    LossReport r;
    r.report_id = id++;
    r.loss_fraction = to_fraction256(loss);
    r.burst_fraction = to_fraction256(burst);
    r.queue_delay_ms = queue_ms;
    return r;
  }
};

void expect_in_speech_range(const SendSettings& s) {
  EXPECT_GE(s.opus.bitrate_bps, kMinVoiceBitrate);
  EXPECT_LE(s.opus.bitrate_bps, kMaxVoiceBitrate);
}

TEST(BitrateController, CleanNetworkNeedsNoRepair) {
  BitrateController c;
  Reporter r;
  for (int i = 0; i < 5; ++i) c.on_report(r.next(0.0));
  EXPECT_FALSE(c.settings().opus.fec);
  EXPECT_EQ(c.settings().red_depth, 0);
  EXPECT_EQ(c.settings().opus.expected_loss_percent, 0);
  EXPECT_EQ(c.settings().opus.bitrate_bps, 32000);
}

TEST(BitrateController, FecFollowsTheReportedLoss) {
  BitrateController c;
  Reporter r;
  c.on_report(r.next(0.02));
  EXPECT_TRUE(c.settings().opus.fec);
  EXPECT_EQ(c.settings().opus.expected_loss_percent, 2);
  EXPECT_EQ(c.settings().red_depth, 0);
}

TEST(BitrateController, RedundancyDeepensWithLossAndReplacesFec) {
  const std::pair<double, int> cases[] = {{0.05, 1}, {0.10, 1}, {0.15, 1}, {0.21, 2}, {0.40, 3}};
  for (const auto& [loss, depth] : cases) {
    BitrateController c;
    Reporter r;
    c.on_report(r.next(loss));
    EXPECT_EQ(c.settings().red_depth, depth) << "at " << loss;
    // Full-quality copies make FEC redundant, and FEC above 5% loss would cost Opus
    // audio bandwidth.
    EXPECT_FALSE(c.settings().opus.fec);
    EXPECT_EQ(c.settings().opus.expected_loss_percent, int(std::lround(loss * 100)));
    expect_in_speech_range(c.settings());
  }
}

TEST(BitrateController, FecAloneWhenRedundancyIsOff) {
  BitrateControllerConfig config;
  config.allow_redundancy = false;
  BitrateController c(config);
  Reporter r;
  c.on_report(r.next(0.15));
  EXPECT_TRUE(c.settings().opus.fec);
  EXPECT_EQ(c.settings().red_depth, 0);
}

TEST(BitrateController, BurstinessAloneAddsNoCopies) {
  BitrateController c;
  Reporter r;
  c.on_report(r.next(0.05, 0.6));
  EXPECT_EQ(c.settings().red_depth, 1);
}

TEST(BitrateController, LossRisesAtOnceAndFallsSlowly) {
  BitrateController c;
  Reporter r;
  c.on_report(r.next(0.25));
  EXPECT_EQ(c.settings().red_depth, 2);
  c.on_report(r.next(0.0));
  EXPECT_GE(c.settings().red_depth, 1);  // one clean second is not a healed path
  for (int i = 0; i < 20; ++i) c.on_report(r.next(0.0));
  EXPECT_EQ(c.settings().red_depth, 0);
  EXPECT_FALSE(c.settings().opus.fec);
}

TEST(BitrateController, RepeatedReportsCountOnce) {
  BitrateController c;
  Reporter r;
  c.on_report(r.next(0.15));
  const LossReport clean = r.next(0.0);
  c.on_report(clean);
  const double after_one = c.smoothed_loss();
  for (int i = 0; i < 10; ++i) c.on_report(clean);
  EXPECT_DOUBLE_EQ(c.smoothed_loss(), after_one);
}

TEST(BitrateController, QueueingDelayBacksOffAndClearPathProbesUp) {
  BitrateController c;
  Reporter r;
  const int start = c.settings().opus.bitrate_bps;
  for (int i = 0; i < 3; ++i) c.on_report(r.next(0.0, 0.0, 250));
  EXPECT_LT(c.settings().opus.bitrate_bps, start);
  expect_in_speech_range(c.settings());
  for (int i = 0; i < 30; ++i) c.on_report(r.next(0.0, 0.0, 5));
  EXPECT_EQ(c.settings().opus.bitrate_bps, start);
}

TEST(BitrateController, RedundancySharesTheBudget) {
  BitrateController c;
  Reporter r;
  c.set_bandwidth_limit(48000);
  c.on_report(r.next(0.25));  // wants depth 2: 3 x 16 kbps fits 48 kbps
  EXPECT_EQ(c.settings().red_depth, 2);
  EXPECT_EQ(c.settings().opus.bitrate_bps, 16000);
  c.set_bandwidth_limit(30000);  // only the primary fits above the speech minimum
  EXPECT_EQ(c.settings().red_depth, 0);
  EXPECT_EQ(c.settings().opus.bitrate_bps, 30000);
  c.set_bandwidth_limit(std::nullopt);
  EXPECT_EQ(c.settings().red_depth, 2);
}

TEST(BitrateController, RepairCanBeSwitchedOff) {
  BitrateControllerConfig config;
  config.allow_fec = false;
  config.allow_redundancy = false;
  BitrateController c(config);
  Reporter r;
  c.on_report(r.next(0.25));
  EXPECT_FALSE(c.settings().opus.fec);
  EXPECT_EQ(c.settings().red_depth, 0);
  EXPECT_EQ(c.settings().opus.expected_loss_percent, 25);  // Opus still plans for loss
}

}  // namespace
}  // namespace koe
