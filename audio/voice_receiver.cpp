#include "audio/voice_receiver.hpp"

namespace koe {

VoiceReceiver::VoiceReceiver(std::unique_ptr<VoiceDecoder> decoder, VoiceReceiverConfig config)
    : config_(config), jitter_(std::move(decoder), config.jitter) {}

std::optional<LossReport> VoiceReceiver::on_datagram(TimePoint now, ByteView payload) {
  Decoded<VoiceFrame> frame = decode_voice_frame(payload);
  if (!frame) {
    ++malformed_;
    return std::nullopt;
  }
  if (!next_report_) next_report_ = now + config_.report_interval;
  loss_.on_packet(now, sequences_.unwrap(frame->sequence), payload.size());
  jitter_.insert(now, *frame);
  return frame->report;
}

PullResult VoiceReceiver::pull(TimePoint now, std::span<Sample> out) {
  const PullResult result = jitter_.pull(now, out);
  if (result.kind != PlayoutKind::kSilence) loss_.on_frame_played(result.kind == PlayoutKind::kConcealed);
  return result;
}

std::optional<LossReport> VoiceReceiver::poll_report(TimePoint now) {
  if (!next_report_ || now < *next_report_) return std::nullopt;
  next_report_ = now + config_.report_interval;
  const DelayEstimator& delay = jitter_.delay_estimator();
  return loss_.make_report(now, delay.target(), delay.queue_delay());
}

}  // namespace koe
