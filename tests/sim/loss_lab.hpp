// The loss lab: an offline, reproducible run of one direction of a call: PCM -> (voice
// processing) -> Opus
// (VoiceSender, adapting to reports) -> a seeded link (random and Gilbert-Elliott loss,
// jitter; the sim's link model) -> VoiceReceiver (jitter buffer, FEC, redundancy,
// concealment) -> PCM, with the receiver's reports carried back over a reverse link.
// The output is scored against the input (tests/sim/speech_quality).
// Pure function of its inputs; any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "audio/bitrate_controller.hpp"
#include "audio/jitter_buffer.hpp"
#include "tests/sim/link_model.hpp"
#include "tests/sim/speech_quality.hpp"

namespace koe::sim {

enum class Repair : uint8_t {
  kNone,            // plain Opus; the receiver conceals every loss
  kFec,             // in-band FEC sized by the reports
  kFecRedundancy,   // FEC plus packet-level redundancy sized by the reports
};
std::string_view to_string(Repair repair);

struct LossLabConfig {
  uint64_t seed = 1;
  LinkParams link;  // both directions (each with its own state)
  Repair repair = Repair::kFecRedundancy;
  FrameLength frame = kDefaultFrameLength;
  int complexity = 5;
  BitrateControllerConfig rate;  // its allow_fec / allow_redundancy follow `repair`
  double skew_ppm = 0;  // the sender's clock against the receiver's
  // Run the capture through VoiceProcessor (echo canceller with a silent far end, noise
  // suppression, gain) before Opus, as a call does. Off by default so the scores
  // measure the network and the codec alone.
  bool voice_processing = false;
};

// A link with `latency`, normal jitter and `loss` (0..1) that is random, or bursty
// (Gilbert-Elliott, all-or-nothing states) with bursts of `mean_burst` datagrams.
LinkParams lossy_link(double loss, double mean_burst, Duration latency, Duration jitter_mean,
                      Duration jitter_stddev);

struct LossLabResult {
  std::vector<Sample> output;
  QualityScore quality;
  uint64_t datagrams_sent = 0;
  uint64_t datagrams_lost = 0;
  double send_kbps = 0;  // voice payload, redundancy included
  JitterBufferStats jitter;
  SendSettings final_settings;
};

LossLabResult run_loss_lab(std::span<const Sample> input, const LossLabConfig& config);

}  // namespace koe::sim
