#include "audio/jitter_buffer.hpp"

#include <algorithm>

#include "audio/time_stretch.hpp"

namespace koe {

namespace {

constexpr int64_t kSamplesPerMs = kSampleRate / 1000;
// Consecutive far-off packets that mean the sender restarted its stream.
constexpr int kFarPacketsForRestart = 3;
// Steering keeps the decode margin (the slack less queued_ms()) in [low, low + one pull +
// kSlackLowMs), low = jitter margin + kSlackLowMs: the margin moves in whole pulls, so a
// window narrower than a pull could hold no value and steering would swing.
constexpr double kSlackLowMs = 2.5;
// Audio queued before the next packet beyond this is trimmed: a stretch removes at most
// kMaxPitchPeriod, so trimming never makes the next packet decode a pull earlier.
constexpr double kTrimQueuedMs = 1000.0 * kMaxPitchPeriod / kSampleRate + 1.0;
// FEC and redundant copies repair a loss only if the packets after it are here in time:
// the buffer waits one more frame per frame of repair the sender sends (FEC covers one,
// depth-d redundancy d), at most this many, and keeps that for a while after the last
// repaired packet (FEC comes and goes with voice activity).
constexpr int kMaxRepairFrames = 2;
constexpr int kRepairHoldPackets = 250;
// Weight of each packet's slack in the filtered slack.
constexpr double kSlackSmoothing = 1.0 / 8;

int64_t samples_of(Duration d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count() * kSampleRate / 1'000'000;
}
double ms_of(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

std::string_view to_string(PlayoutKind kind) {
  switch (kind) {
    case PlayoutKind::kSilence: return "silence";
    case PlayoutKind::kNormal: return "normal";
    case PlayoutKind::kStretched: return "stretched";
    case PlayoutKind::kComfortNoise: return "comfort_noise";
    case PlayoutKind::kRedRecovered: return "red_recovered";
    case PlayoutKind::kFecRecovered: return "fec_recovered";
    case PlayoutKind::kConcealed: return "concealed";
  }
  return "unknown";
}

JitterBuffer::JitterBuffer(std::unique_ptr<VoiceDecoder> decoder, JitterBufferConfig config)
    : decoder_(std::move(decoder)), config_(config), delay_(config.delay) {
  sync_.reserve(8 * static_cast<size_t>(kMaxFrameSamples));
}

void JitterBuffer::insert(TimePoint arrival, const VoiceFrame& frame) {
  ++stats_.packets;
  const int64_t timestamp = timestamps_.unwrap(frame.timestamp);
  const int64_t sequence = sequences_.unwrap(frame.sequence);

  // Far off the timeline: junk, or (when it persists) a sender that started over.
  const bool has_reference = playing_ || !packets_.empty();
  const int64_t reference = playing_ ? play_ts_ : has_reference ? packets_.begin()->first : 0;
  const int64_t distance = timestamp > reference ? timestamp - reference : reference - timestamp;
  if (has_reference && distance > samples_of(config_.max_timestamp_jump)) {
    if (++far_in_row_ < kFarPacketsForRestart) {
      ++stats_.dropped;
      return;
    }
    restart();
  }
  far_in_row_ = 0;

  const auto info = inspect(frame.opus);
  if (!info) {
    ++stats_.dropped;
    return;
  }
  const Duration relative = delay_.on_arrival(arrival, timestamp);
  note_repair(std::max<int>(info->carries_fec ? 1 : 0, static_cast<int>(frame.redundancy.size())));
  store(timestamp, {sequence, frame.opus, *info, arrival, relative, false});
  for (size_t i = 0; i < frame.redundancy.size(); ++i) {
    const RedundantFrame& red = frame.redundancy[i];
    const auto red_info = inspect(red.opus);
    if (!red_info) continue;
    store(timestamp - red.timestamp_offset,
          {sequence - 1 - static_cast<int64_t>(i), red.opus, *red_info, arrival, relative, true});
  }
  while (packets_.size() > config_.max_packets) {
    packets_.erase(packets_.begin());
    ++stats_.dropped;
  }
}

std::optional<PayloadInfo> JitterBuffer::inspect(ByteView payload) const {
  auto info = decoder_->inspect(payload);
  if (info && (info->samples <= 0 || info->samples > kMaxFrameSamples)) info.reset();
  return info;
}

void JitterBuffer::store(int64_t timestamp, Packet packet) {
  if (playing_ && timestamp < play_ts_) {
    // After DTX the playout point runs free through comfort noise; the talkspurt that
    // follows (nothing lost before it) sets it again instead of counting as late.
    const bool talkspurt = in_comfort_noise_ && packets_.empty() && !packet.redundant &&
                           packet.sequence == last_sequence_ + 1;
    if (!talkspurt) {
      if (!packet.redundant) ++stats_.late;
      return;
    }
    play_ts_ = timestamp;
  }
  auto [it, inserted] = packets_.try_emplace(timestamp, std::move(packet));
  if (inserted) return;
  if (it->second.redundant && !packet.redundant) {
    it->second = std::move(packet);  // the primary after its copy: same audio
  } else if (!packet.redundant) {
    ++stats_.duplicates;
  }
}

void JitterBuffer::restart() {
  ++stats_.resets;
  packets_.clear();
  delay_.reset();
  playing_ = false;
  in_comfort_noise_ = false;
  last_voice_active_ = true;
  slack_ms_.reset();
  repair_frames_ = 0;
  waited_ = 0;
}

int64_t JitterBuffer::target_level_samples() const {
  return samples_of(delay_.target()) + (1 + repair_frames_) * int64_t{frame_samples_};
}

// A packet decoded now starts to play after the unplayed audio before it. Measuring to
// its first sample keeps the slack continuous: stretching by n samples moves it by n.
double JitterBuffer::slack_ms(TimePoint now, const Packet& packet) const {
  return arrival_margin_ms(now, packet) + double(unplayed()) / kSamplesPerMs;
}

// How long ago a packet with no extra delay would have arrived: what a later one may use.
double JitterBuffer::arrival_margin_ms(TimePoint now, const Packet& packet) const {
  return ms_of((now - packet.arrival) + packet.relative_delay);
}

double JitterBuffer::low_margin_ms() const {
  return ms_of(delay_.target()) + double(repair_frames_ * frame_samples_) / kSamplesPerMs + kSlackLowMs;
}

// During a pull, after this pull's audio is there: the next packet is decoded by the first
// pull that lacks audio, so its arrival deadline lies `queued` before it starts to play,
// where `queued` is the audio left after this pull, less whole pulls. Its slack minus that
// is its decode margin; the queued part is latency that trimming removes at no risk.
double JitterBuffer::queued_ms() const {
  const size_t left = unplayed() > pull_samples_ ? unplayed() - pull_samples_ : 0;
  return double(left % pull_samples_) / kSamplesPerMs;
}

void JitterBuffer::note_repair(int frames) {
  frames = std::min(frames, kMaxRepairFrames);
  if (frames >= repair_frames_) {
    repair_frames_ = frames;
    repair_hold_ = kRepairHoldPackets;
  } else if (--repair_hold_ <= 0) {
    repair_frames_ = frames;
  }
}

int64_t JitterBuffer::buffered_samples() const {
  int64_t ahead = 0;
  if (!packets_.empty()) {
    const auto& [timestamp, newest] = *packets_.rbegin();
    ahead = std::max<int64_t>(0, timestamp + newest.info.samples - play_ts_);
  }
  return ahead + static_cast<int64_t>(unplayed());
}

bool JitterBuffer::try_start(TimePoint now) {
  if (packets_.empty()) return false;
  const Packet& oldest = packets_.begin()->second;
  if (arrival_margin_ms(now, oldest) < low_margin_ms()) return false;
  playing_ = true;
  play_ts_ = packets_.begin()->first;
  last_sequence_ = oldest.sequence - 1;
  frame_samples_ = oldest.info.samples;
  return true;
}

PullResult JitterBuffer::pull(TimePoint now, std::span<Sample> out) {
  PullResult result;
  pull_samples_ = out.size();
  if (!playing_ && !try_start(now)) {
    std::fill(out.begin(), out.end(), Sample{0});
    return result;
  }
  result.kind = PlayoutKind::kNormal;
  if (buffered_samples() > samples_of(config_.max_delay)) flush_to_target();
  while (unplayed() < out.size()) produce(now, result);
  steer(result);
  while (unplayed() < out.size()) produce(now, result);

  std::copy_n(sync_.begin() + static_cast<std::ptrdiff_t>(played_), out.size(), out.begin());
  played_ += out.size();
  sync_.erase(sync_.begin(), sync_.begin() + static_cast<std::ptrdiff_t>(played_));
  played_ = 0;

  stats_.target_delay_ms = double(target_level_samples()) / kSamplesPerMs;
  stats_.current_delay_ms = double(buffered_samples()) / kSamplesPerMs;
  stats_.slack_ms = slack_ms_.value_or(0.0);
  return result;
}

std::span<Sample> JitterBuffer::grow(size_t samples) {
  const size_t at = sync_.size();
  sync_.resize(at + samples);
  return {sync_.data() + at, samples};
}

void JitterBuffer::observe_slack(TimePoint now, const Packet& packet) {
  const double slack = slack_ms(now, packet);
  slack_ms_ = slack_ms_ ? *slack_ms_ + (slack - *slack_ms_) * kSlackSmoothing : slack;
}

void JitterBuffer::produce(TimePoint now, PullResult& result) {
  while (!packets_.empty() && packets_.begin()->first < play_ts_) packets_.erase(packets_.begin());
  if (packets_.empty()) {
    // Nothing here. After silence the sender is in DTX: comfort noise, time runs on.
    // During speech the next packet is late: conceal and wait for it (the delay grows).
    if (!last_voice_active_) {
      conceal(frame_samples_, PlayoutKind::kComfortNoise, result);
    } else {
      decoder_->conceal(grow(static_cast<size_t>(frame_samples_)));
      waited_ += frame_samples_;
      ++stats_.concealed;
      result.kind = std::max(result.kind, PlayoutKind::kConcealed);
    }
    return;
  }
  const auto& [timestamp, next] = *packets_.begin();
  if (timestamp == play_ts_) {
    observe_slack(now, next);
    decode_next(result);
    return;
  }
  const int64_t gap = timestamp - play_ts_;
  if (next.sequence == last_sequence_ + 1) {
    // Nothing lost: the sender paused (DTX). Start the talkspurt early, dropping
    // comfort noise, once its first packet has waited its turn.
    if (arrival_margin_ms(now, next) >= low_margin_ms()) {
      play_ts_ = timestamp;
      observe_slack(now, next);
      decode_next(result);
    } else {
      conceal(std::min<int64_t>(gap, frame_samples_), PlayoutKind::kComfortNoise, result);
    }
    return;
  }
  recover_lost(result, gap);
}

void JitterBuffer::decode_next(PullResult& result) {
  auto node = packets_.extract(packets_.begin());
  Packet& packet = node.mapped();
  std::span<Sample> out = grow(static_cast<size_t>(packet.info.samples));
  PlayoutKind kind = packet.redundant ? PlayoutKind::kRedRecovered : PlayoutKind::kNormal;
  if (!decoder_->decode(packet.payload, out)) {
    decoder_->conceal(out);
    kind = PlayoutKind::kConcealed;
  }
  switch (kind) {
    case PlayoutKind::kRedRecovered: ++stats_.red_recovered; break;
    case PlayoutKind::kConcealed: ++stats_.concealed; break;
    default: ++stats_.normal; break;
  }
  result.kind = std::max(result.kind, kind);
  play_ts_ += packet.info.samples;
  last_sequence_ = packet.sequence;
  frame_samples_ = packet.info.samples;
  last_voice_active_ = packet.info.voice_active;
  in_comfort_noise_ = false;
  waited_ = 0;
}

void JitterBuffer::recover_lost(PullResult& result, int64_t gap) {
  const auto& [timestamp, next] = *packets_.begin();
  // Concealment played while we waited stood in for (part of) the lost frames: skip
  // them rather than conceal them twice, keeping the frame the next packet's FEC can
  // rebuild.
  const int64_t repairable = next.info.carries_fec && gap >= next.info.samples ? next.info.samples : 0;
  const int64_t skip = std::min(waited_, gap - repairable);
  play_ts_ += skip;
  gap -= skip;
  waited_ = 0;
  if (gap == 0) return;
  // Whatever the waits, never replay a hole longer than the whole target (a sender
  // that jumped ahead): skip to its last frame.
  if (gap > target_level_samples() + frame_samples_) {
    play_ts_ = timestamp - frame_samples_;
    gap = frame_samples_;
  }
  // The next packet's FEC rebuilds the frame right before it, of its own length.
  if (gap == next.info.samples && next.info.carries_fec) {
    std::span<Sample> out = grow(static_cast<size_t>(gap));
    if (decoder_->decode_fec(next.payload, out)) {
      ++stats_.fec_recovered;
      result.kind = std::max(result.kind, PlayoutKind::kFecRecovered);
      play_ts_ += gap;
      last_sequence_ = next.sequence - 1;
      in_comfort_noise_ = false;
      return;
    }
    sync_.resize(sync_.size() - static_cast<size_t>(gap));
  }
  conceal(std::min<int64_t>(gap, frame_samples_), PlayoutKind::kConcealed, result);
}

void JitterBuffer::conceal(int64_t samples, PlayoutKind kind, PullResult& result) {
  decoder_->conceal(grow(static_cast<size_t>(samples)));
  play_ts_ += samples;
  result.kind = std::max(result.kind, kind);
  if (kind == PlayoutKind::kComfortNoise) {
    ++stats_.comfort_noise;
    in_comfort_noise_ = true;
    waited_ = 0;
  } else {
    ++stats_.concealed;
  }
}

void JitterBuffer::steer(PullResult& result) {
  if (!slack_ms_ || result.kind == PlayoutKind::kConcealed || pull_samples_ == 0) return;  // don't stretch concealment
  const double low = low_margin_ms();
  const double queued = queued_ms();
  const double margin = *slack_ms_ - queued;
  Stretch how;
  if (margin < low) {
    how = Stretch::kLengthen;  // before any trimming: lengthen until the decode moves a pull later
  } else if (margin >= low + double(pull_samples_) / kSamplesPerMs + kSlackLowMs || queued > kTrimQueuedMs) {
    how = Stretch::kShorten;
    // Shortening needs two pitch periods of audio not yet played.
    if (unplayed() < 2 * kMaxPitchPeriod && !packets_.empty() && packets_.begin()->first == play_ts_)
      decode_next(result);
  } else {
    return;
  }
  const bool silence = !last_voice_active_ || in_comfort_noise_;
  const int change = stretch(sync_, played_, how, silence);
  if (change == 0) return;
  // Later packets play `change` samples later (or earlier): their slack moves with it.
  *slack_ms_ += double(change) / kSamplesPerMs;
  result.stretched_samples += change;
  result.kind = std::max(result.kind, PlayoutKind::kStretched);
  if (change < 0) {
    stats_.samples_removed += static_cast<uint64_t>(-change);
  } else {
    stats_.samples_inserted += static_cast<uint64_t>(change);
  }
}

void JitterBuffer::flush_to_target() {
  if (packets_.empty()) return;
  ++stats_.resets;
  const auto& [timestamp, newest] = *packets_.rbegin();
  play_ts_ = std::max(play_ts_, timestamp + newest.info.samples - target_level_samples());
  sync_.resize(played_);
  slack_ms_.reset();
}

}  // namespace koe
