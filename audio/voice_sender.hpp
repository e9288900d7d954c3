// VoiceSender: one call's outgoing voice: PCM frame -> Opus (settings from the
// BitrateController fed by the peer's loss reports) -> redundancy -> VoiceFrame bytes,
// with our own sequence numbers and media timestamps. Sans-IO; one owner thread (the
// audio worker).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "audio/bitrate_controller.hpp"
#include "audio/opus_encoder.hpp"
#include "audio/red_packer.hpp"

namespace koe {

struct VoiceSenderConfig {
  OpusEncoderConfig encoder;  // its settings are replaced by the controller's
  BitrateControllerConfig rate;
  // Random per call (as RTP), so a stale datagram of an earlier call never fits.
  uint16_t first_sequence = 0;
  uint32_t first_timestamp = 0;
};

struct VoiceSenderStats {
  uint64_t frames = 0;         // PCM frames encoded
  uint64_t datagrams = 0;      // sent (DTX silence sends none)
  uint64_t payload_bytes = 0;  // VoiceFrame bytes, redundancy included
};

class VoiceSender {
 public:
  explicit VoiceSender(const VoiceSenderConfig& config = {});

  // One captured frame: frame_samples() at 48 kHz, or the 16 kHz speech band
  // (OpusVoiceEncoder::encode). The datagram payload to send, or nullopt when DTX keeps
  // silence off the wire.
  std::optional<Bytes> send(std::span<const Sample> pcm);

  // Our report on the peer's stream; it rides on the next datagram sent.
  void attach_report(const LossReport& report) { pending_report_ = report; }
  // The peer's report on our stream.
  void on_peer_report(const LossReport& report);
  void set_bandwidth_limit(std::optional<int> total_bps);

  const SendSettings& settings() const { return controller_.settings(); }
  const VoiceSenderStats& stats() const { return stats_; }
  size_t frame_samples() const { return encoder_.frame_samples(); }

 private:
  OpusVoiceEncoder encoder_;
  BitrateController controller_;
  RedPacker red_;
  uint16_t sequence_;
  uint32_t timestamp_;
  std::optional<LossReport> pending_report_;
  VoiceSenderStats stats_;
};

}  // namespace koe
