#include "audio/voice_sender.hpp"

namespace koe {

VoiceSender::VoiceSender(const VoiceSenderConfig& config)
    : encoder_(config.encoder),
      controller_(config.rate),
      sequence_(config.first_sequence),
      timestamp_(config.first_timestamp) {
  encoder_.apply(controller_.settings().opus);
}

std::optional<Bytes> VoiceSender::send(std::span<const Sample> pcm) {
  const std::optional<ByteView> packet = encoder_.encode(pcm);
  const uint32_t timestamp = timestamp_;
  // In 48 kHz samples whatever the input rate; wraps, as the receiver expects.
  timestamp_ += static_cast<uint32_t>(encoder_.frame_samples());
  ++stats_.frames;
  if (!packet) return std::nullopt;

  VoiceFrame frame;
  frame.sequence = sequence_;
  frame.timestamp = timestamp;
  frame.opus.assign(packet->begin(), packet->end());
  frame.report = pending_report_;
  red_.pack(frame, controller_.settings().red_depth);
  std::optional<Bytes> bytes = encode_voice_frame(frame);
  if (!bytes) return std::nullopt;  // cannot happen: the encoder and packer keep the limits
  ++sequence_;
  pending_report_.reset();
  ++stats_.datagrams;
  stats_.payload_bytes += bytes->size();
  return bytes;
}

void VoiceSender::on_peer_report(const LossReport& report) {
  controller_.on_report(report);
  encoder_.apply(controller_.settings().opus);
}

void VoiceSender::set_bandwidth_limit(std::optional<int> total_bps) {
  controller_.set_bandwidth_limit(total_bps);
  encoder_.apply(controller_.settings().opus);
}

}  // namespace koe
