#include "audio/bitrate_controller.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "audio/voice_frame.hpp"

namespace koe {

namespace {

// Loss reported falls slowly into the estimate (a clean second after a lossy one does
// not mean the path healed) but rises into it at once.
constexpr double kLossFallWeight = 0.3;
// FEC pays off from about 1% loss; below half that it only costs bits.
constexpr double kFecOnLoss = 0.01;
constexpr double kFecOffLoss = 0.005;
// Redundancy depth d is taken at kRedUp[d-1] loss and dropped below kRedDown[d-1];
// depth d survives d consecutive losses. Copies are full quality, so with them FEC is
// switched off: above 5% loss libopus would narrow the audio band to fit it. Deeper
// copies halve the bitrate of each, so depth 2 waits for 20% loss (measured in the
// loss lab: depth 1 at 32 kbps beats depth 2 at 21 kbps below that). Bursty loss gets
// no extra copy: in the lab the bitrate it costs each frame hurt more than the longer
// bursts it repaired.
constexpr std::array<double, kMaxRedundantFrames> kRedUp = {0.03, 0.20, 0.35};
constexpr std::array<double, kMaxRedundantFrames> kRedDown = {0.015, 0.14, 0.25};
// Queueing delay that means our own traffic congests the path, and what clears it.
constexpr int kCongestedQueueMs = 100;
constexpr int kClearQueueMs = 40;
constexpr double kBackoff = 0.85;
constexpr int kProbeStepBps = 4000;

}  // namespace

BitrateController::BitrateController(BitrateControllerConfig config)
    : config_(config), budget_bps_(config.max_total_bps) {
  update_settings();
}

void BitrateController::on_report(const LossReport& report) {
  if (last_report_id_ == report.report_id) return;
  last_report_id_ = report.report_id;

  const double loss = from_fraction256(report.loss_fraction);
  loss_ = loss >= loss_ ? loss : loss_ + (loss - loss_) * kLossFallWeight;

  const int sent_bps = settings_.opus.bitrate_bps * (1 + settings_.red_depth);
  if (report.queue_delay_ms > kCongestedQueueMs) {
    budget_bps_ = static_cast<int>(std::min(budget_bps_, sent_bps) * kBackoff);
  } else if (report.queue_delay_ms < kClearQueueMs) {
    budget_bps_ += kProbeStepBps;
  }
  budget_bps_ = std::clamp(budget_bps_, config_.min_total_bps, config_.max_total_bps);

  while (loss_depth_ < int(kMaxRedundantFrames) && loss_ >= kRedUp[loss_depth_]) ++loss_depth_;
  while (loss_depth_ > 0 && loss_ < kRedDown[loss_depth_ - 1]) --loss_depth_;
  update_settings();
}

void BitrateController::set_bandwidth_limit(std::optional<int> total_bps) {
  limit_bps_ = total_bps;
  update_settings();
}

void BitrateController::update_settings() {
  const int budget = limit_bps_ ? std::min(budget_bps_, *limit_bps_) : budget_bps_;
  SendSettings next;
  next.opus.fec = config_.allow_fec &&
                  (settings_.opus.fec ? loss_ >= kFecOffLoss : loss_ >= kFecOnLoss);
  next.opus.expected_loss_percent = static_cast<int>(std::lround(loss_ * 100.0));
  // Redundant copies share the budget with the primary; a copy is dropped before the
  // primary goes below the speech minimum.
  next.red_depth = config_.allow_redundancy ? loss_depth_ : 0;
  while (next.red_depth > 0 && budget / (1 + next.red_depth) < kMinVoiceBitrate) --next.red_depth;
  if (next.red_depth > 0) next.opus.fec = false;
  next.opus.bitrate_bps = std::clamp(std::min(config_.preferred_bitrate_bps, budget / (1 + next.red_depth)),
                                     kMinVoiceBitrate, kMaxVoiceBitrate);
  settings_ = next;
}

}  // namespace koe
