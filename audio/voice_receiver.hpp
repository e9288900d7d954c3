// VoiceReceiver: one call's incoming voice: datagram payload -> VoiceFrame (hostile bytes
// checked) -> JitterBuffer -> PCM, with the loss statistics that become our LossReport
// to the peer once per interval. Sans-IO; one owner thread (the audio worker).
#pragma once

#include <memory>
#include <optional>
#include <span>

#include "audio/jitter_buffer.hpp"
#include "audio/loss_statistics.hpp"

namespace koe {

struct VoiceReceiverConfig {
  JitterBufferConfig jitter;
  Duration report_interval = std::chrono::seconds(1);
};

class VoiceReceiver {
 public:
  explicit VoiceReceiver(std::unique_ptr<VoiceDecoder> decoder, VoiceReceiverConfig config = {});

  // A voice datagram's payload from the peer. Returns the report it carried about our
  // own stream (for VoiceSender::on_peer_report), if any.
  std::optional<LossReport> on_datagram(TimePoint now, ByteView payload);
  PullResult pull(TimePoint now, std::span<Sample> out);
  // Our report on the peer's stream once per interval (for VoiceSender::attach_report).
  std::optional<LossReport> poll_report(TimePoint now);

  const JitterBuffer& jitter_buffer() const { return jitter_; }
  const JitterBufferStats& jitter_stats() const { return jitter_.stats(); }
  const LossStatistics& loss_statistics() const { return loss_; }
  uint64_t malformed() const { return malformed_; }

 private:
  VoiceReceiverConfig config_;
  JitterBuffer jitter_;
  LossStatistics loss_;
  SequenceUnwrapper<uint16_t> sequences_;
  std::optional<TimePoint> next_report_;
  uint64_t malformed_ = 0;
};

}  // namespace koe
