// The loss lab end to end on synthetic speech: reproducible, a clean path scores well,
// and at 10% random loss repair brings quality near the clean path's while plain
// concealment falls behind.
#include <gtest/gtest.h>

#include "tests/sim/loss_lab.hpp"
#include "tests/sim/speech_synth.hpp"

namespace koe::sim {
namespace {

using std::chrono::milliseconds;

LossLabConfig config(double loss, Repair repair) {
  LossLabConfig c;
  c.seed = 4;
  c.link = lossy_link(loss, 1.0, milliseconds(40), milliseconds(10), milliseconds(5));
  c.repair = repair;
  return c;
}

TEST(LossLab, SameSeedSameResult) {
  const auto speech = synthesize_speech(6.0, 8);
  const auto a = run_loss_lab(speech, config(0.1, Repair::kFecRedundancy));
  const auto b = run_loss_lab(speech, config(0.1, Repair::kFecRedundancy));
  EXPECT_EQ(a.output, b.output);
  EXPECT_EQ(a.datagrams_lost, b.datagrams_lost);
}

TEST(LossLab, ScoringSeesTheDifference) {
  const auto speech = synthesize_speech(3.0, 9);
  const QualityScore self = score_speech(speech, speech);
  EXPECT_NEAR(self.log_spectral_distance_db, 0.0, 1e-9);
  EXPECT_EQ(self.delay_samples, 0);
  EXPECT_GE(self.segmental_snr_db, 34.9);
  std::vector<Sample> delayed(4800, 0);  // 100 ms later
  delayed.insert(delayed.end(), speech.begin(), speech.end());
  const QualityScore shifted = score_speech(speech, delayed);
  EXPECT_EQ(shifted.delay_samples, 4800);
  EXPECT_NEAR(shifted.log_spectral_distance_db, 0.0, 1e-9);
}

TEST(LossLab, RepairKeepsTenPercentLossNearTheCleanPath) {
  const auto speech = synthesize_speech(30.0, 10);
  const auto clean = run_loss_lab(speech, config(0.0, Repair::kFecRedundancy));
  const auto plain = run_loss_lab(speech, config(0.1, Repair::kNone));
  const auto repaired = run_loss_lab(speech, config(0.1, Repair::kFecRedundancy));
  EXPECT_GT(plain.datagrams_lost, plain.datagrams_sent / 20);
  // The buffer waits the 95th percentile of the jitter plus 2.5 ms (no longer a whole
  // extra pull as well): a rare packet beyond that may be late once before the target
  // grows to cover its like.
  EXPECT_LE(clean.jitter.concealed, 1u);
  // Log-spectral distance (lower is better): repair recovers most of what loss costs.
  const double clean_lsd = clean.quality.log_spectral_distance_db;
  const double plain_lsd = plain.quality.log_spectral_distance_db;
  const double repaired_lsd = repaired.quality.log_spectral_distance_db;
  RecordProperty("lsd_clean", std::to_string(clean_lsd));
  RecordProperty("lsd_plain_10", std::to_string(plain_lsd));
  RecordProperty("lsd_repaired_10", std::to_string(repaired_lsd));
  EXPECT_LT(repaired_lsd - clean_lsd, 0.5 * (plain_lsd - clean_lsd));
  EXPECT_GT(repaired.jitter.red_recovered + repaired.jitter.fec_recovered, 3 * repaired.jitter.concealed);
}

TEST(LossLab, TenMillisecondFramesWorkToo) {
  const auto speech = synthesize_speech(8.0, 12);
  LossLabConfig twenty = config(0.05, Repair::kFecRedundancy), ten = twenty;
  ten.frame = FrameLength::k10ms;
  const auto a = run_loss_lab(speech, twenty);
  const auto b = run_loss_lab(speech, ten);
  EXPECT_GT(b.datagrams_sent, 2 * a.datagrams_sent * 9 / 10);  // twice the packets
  EXPECT_GT(b.quality.frames_scored, 100);
  EXPECT_NEAR(b.quality.log_spectral_distance_db, a.quality.log_spectral_distance_db, 1.0);
}

}  // namespace
}  // namespace koe::sim
