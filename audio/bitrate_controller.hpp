// BitrateController: the sender's adaptation to its receiver's LossReports: in-band FEC
// and its expected-loss figure, packet-level redundancy depth, and the Opus bitrate
// (16-40 kbps) inside a bandwidth budget that backs off when queues build up.
// Sans-IO; one owner thread (the audio worker).
#pragma once

#include <optional>

#include "audio/loss_report.hpp"
#include "audio/opus_encoder.hpp"
#include "net/clock.hpp"

namespace koe {

struct SendSettings {
  OpusSettings opus;
  int red_depth = 0;  // earlier frames copied into each datagram

  bool operator==(const SendSettings&) const = default;
};

struct BitrateControllerConfig {
  bool allow_fec = true;
  bool allow_redundancy = true;
  // The Opus bitrate wanted when the budget allows (inside the speech range).
  int preferred_bitrate_bps = 32000;
  // Budget for all Opus bytes sent (primary plus redundant copies): depth 1 keeps
  // 32 kbps frames, depth 2 about 21, depth 3 the 16 kbps minimum.
  int max_total_bps = 64000;
  int min_total_bps = kMinVoiceBitrate;
};

class BitrateController {
 public:
  explicit BitrateController(BitrateControllerConfig config = {});

  // Folds in a receiver report; a repeat of the last report_id is ignored.
  void on_report(const LossReport& report);
  // An outside cap on the total (a relay's limit, a user setting); nullopt lifts it.
  void set_bandwidth_limit(std::optional<int> total_bps);

  const SendSettings& settings() const { return settings_; }
  double smoothed_loss() const { return loss_; }
  int budget_bps() const { return budget_bps_; }

 private:
  void update_settings();

  BitrateControllerConfig config_;
  std::optional<uint8_t> last_report_id_;
  std::optional<int> limit_bps_;
  double loss_ = 0.0;   // network loss, rises at once and falls over a few reports
  int loss_depth_ = 0;  // redundancy the loss rate alone asks for (with hysteresis)
  int budget_bps_;
  SendSettings settings_;
};

}  // namespace koe
