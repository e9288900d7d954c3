#include "audio/call_media.hpp"

#include <memory>

#include "audio/opus_decoder.hpp"

namespace koe {

CallMedia::CallMedia(const CallMediaConfig& config)
    : sender_(config.sender),
      receiver_(std::make_unique<OpusVoiceDecoder>(), config.receiver),
      outgoing_(sender_.frame_samples()) {}

void CallMedia::on_datagram(TimePoint arrival, ByteView payload) {
  if (const std::optional<LossReport> report = receiver_.on_datagram(arrival, payload))
    sender_.on_peer_report(*report);
}

std::optional<Bytes> CallMedia::send(TimePoint now, std::span<const Sample> microphone) {
  if (const std::optional<LossReport> report = receiver_.poll_report(now)) sender_.attach_report(*report);
  if (!echo_) return sender_.send(microphone);
  echo_->next_outgoing(outgoing_);
  return sender_.send(outgoing_);
}

PullResult CallMedia::play(TimePoint now, std::span<Sample> out) {
  const PullResult result = receiver_.pull(now, out);
  ++frames_played_;
  if (echo_) echo_->on_played(result.kind, out);
  return result;
}

void CallMedia::start_echo_service(Duration record_for) { echo_.emplace(record_for); }

CallMediaStats CallMedia::stats() const {
  const JitterBufferStats& jitter = receiver_.jitter_stats();
  const LossStatistics& loss = receiver_.loss_statistics();
  const SendSettings& settings = sender_.settings();
  CallMediaStats s;
  s.packets_sent = sender_.stats().datagrams;
  s.packets_received = jitter.packets;
  s.packets_lost = loss.packets_lost();
  s.packets_malformed = receiver_.malformed();
  s.packets_late = jitter.late;
  s.frames_played = frames_played_;
  s.frames_concealed = jitter.concealed;
  s.frames_fec_recovered = jitter.fec_recovered;
  s.frames_red_recovered = jitter.red_recovered;
  s.jitter_buffer_ms = jitter.current_delay_ms;
  s.jitter_target_ms = jitter.target_delay_ms;
  s.bitrate_bps = settings.opus.bitrate_bps;
  s.fec = settings.opus.fec;
  s.red_depth = settings.red_depth;
  const uint64_t expected = loss.packets_expected();
  s.loss_fraction = expected ? double(loss.packets_lost()) / double(expected) : 0.0;
  s.echo_finished = echo_ && echo_->finished();
  return s;
}

}  // namespace koe
