#include "audio/voice_engine.hpp"

#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <utility>

#include "audio/voice_frame.hpp"

namespace koe {

namespace {

using std::chrono::milliseconds;

// The device rings cannot wake us (their callbacks may not make system calls), so the
// media thread wakes on the device's frame clock: at the time it expects the next
// capture frame, learned from when frames were found. A wake that finds no frame polls
// every kPoll and re-learns the clock from the frame it then finds; a wake that finds
// one aims the next wake kCreep earlier, so the clock never drifts late unnoticed. About
// 1.5 wakes per frame, each at most kPoll late (earlier: a 3 ms lead and 1 ms polls,
// about five wakes per frame). The next playback frame is due earlier still:
// VoiceEngineConfig::playout_lead.
constexpr Duration kPoll = std::chrono::microseconds(500);
constexpr Duration kCreep = std::chrono::microseconds(250);
// No frame yet, or the device stalled: check at a relaxed pace.
constexpr Duration kIdlePoll = milliseconds(5);
// Real-time priority for the media thread where the system permits it (root, or
// RLIMIT_RTPRIO): a frame's work is well under a millisecond, and a thread woken late
// under load is what makes dropouts. Low among real-time priorities: audio servers
// and the device callbacks' own threads run higher.
constexpr int kMediaThreadPriority = 10;
constexpr float kMaxPeerGain = 2.0f;

Duration thread_cpu_time() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return std::chrono::duration_cast<Duration>(std::chrono::seconds(t.tv_sec) +
                                              std::chrono::nanoseconds(t.tv_nsec));
}

std::unique_ptr<Random> make_random(uint64_t seed) {
  if (seed == 0) return std::make_unique<SystemRandom>();
  return std::make_unique<SeededRandom>(seed);
}

}  // namespace

VoiceEngine::VoiceEngine(std::unique_ptr<AudioDevice> device, VoiceEngineConfig config, SendVoice send)
    : config_(std::move(config)),
      frame_samples_(frame_samples(config_.frame)),
      frame_period_(frame_period(config_.frame)),
      send_(std::move(send)),
      device_(std::move(device)),
      processor_(config_.echo_canceller, config_.processing),
      random_(make_random(config_.random_seed)),
      mixer_(frame_samples_),
      alerts_(config_.alerts, frame_samples_),
      capture_(frame_samples_),
      reference_(frame_samples_),
      voice_(frame_samples_) {}

VoiceEngine::~VoiceEngine() { stop(); }

bool VoiceEngine::start() {
  if (thread_.joinable()) return true;
  if (!device_->start()) return false;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
    controls_changed_ = true;
  }
  last_frame_at_.reset();
  next_frame_at_.reset();
  frame_missed_ = false;
  thread_ = std::thread([this] { run(); });
  return true;
}

void VoiceEngine::stop() {
  if (thread_.joinable()) {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  device_->stop();
}

void VoiceEngine::open_call(uint64_t call) {
  bool first = false;
  {
    std::lock_guard lock(mutex_);
    if (slots_.contains(call)) return;
    first = slots_.empty();
    slots_[call].generation = next_generation_++;
    controls_changed_ = true;
  }
  // After the slot exists: the media thread looks for new calls before each capture
  // frame it reads, so the first restarted frame already belongs to the call.
  if (first) device_->restart_from_beginning();
  wake_.notify_one();
}

void VoiceEngine::close_call(uint64_t call) {
  {
    std::lock_guard lock(mutex_);
    if (slots_.erase(call) == 0) return;
    controls_changed_ = true;
  }
  wake_.notify_one();
}

void VoiceEngine::deliver(uint64_t call, ByteView payload) {
  if (payload.size() > kMaxVoiceFrameBytes) {
    std::lock_guard lock(mutex_);
    ++engine_stats_.datagrams_oversized;
    return;
  }
  const TimePoint arrival = clock_.now();
  Bytes copy(payload.begin(), payload.end());
  std::lock_guard lock(mutex_);
  const auto slot = slots_.find(call);
  if (slot == slots_.end()) {
    ++engine_stats_.datagrams_unknown_call;
    return;
  }
  if (inbound_.size() >= config_.max_queued_datagrams) {
    ++slot->second.dropped;
    return;
  }
  // No wake-up: the media thread takes the queue before every frame it plays, and the
  // jitter buffer learns the real arrival time from the entry.
  inbound_.push_back({call, slot->second.generation, arrival, std::move(copy)});
}

void VoiceEngine::set_muted(bool muted) { levels_.microphone.set_muted(muted); }

void VoiceEngine::set_peer_volume(uint64_t call, float gain) {
  if (std::isnan(gain)) return;
  std::lock_guard lock(mutex_);
  const auto slot = slots_.find(call);
  if (slot == slots_.end()) return;
  slot->second.gain = std::clamp(gain, 0.0f, kMaxPeerGain);
  controls_changed_ = true;
}

void VoiceEngine::set_echo_mode(uint64_t call, Duration record_for) {
  {
    std::lock_guard lock(mutex_);
    const auto slot = slots_.find(call);
    if (slot == slots_.end()) return;
    slot->second.echo_record_for = record_for;
    ++slot->second.echo_generation;
    slot->second.published.echo_finished = false;
    controls_changed_ = true;
  }
  wake_.notify_one();
}

bool VoiceEngine::echo_finished(uint64_t call) const { return stats(call).echo_finished; }

CallMediaStats VoiceEngine::stats(uint64_t call) const {
  std::lock_guard lock(mutex_);
  const auto slot = slots_.find(call);
  if (slot == slots_.end()) return {};
  CallMediaStats s = slot->second.published;
  s.packets_dropped = slot->second.dropped;
  return s;
}

VoiceEngineStats VoiceEngine::engine_stats() const {
  std::lock_guard lock(mutex_);
  return engine_stats_;
}

void VoiceEngine::run() {
  pthread_setname_np(pthread_self(), "koe-media");
  sched_param priority{};
  priority.sched_priority = kMediaThreadPriority;
  pthread_setschedparam(pthread_self(), SCHED_FIFO, &priority);  // not permitted: stays as it was
  std::unique_lock lock(mutex_);
  TimePoint wake_at = clock_.now();
  while (true) {
    wake_.wait_until(lock, wake_at, [this] { return stopping_ || controls_changed_; });
    if (stopping_) return;
    lock.unlock();
    service();
    wake_at = next_wake(clock_.now());
    lock.lock();
  }
}

// Playback runs one frame ahead of capture: the device takes a playback frame as it
// hands over a capture frame (a duplex callback, a clocked device's tick), so the frame
// for the next tick is mixed playout_lead before it, late enough to hold the freshest
// audio the jitter buffer has, and written to the ring just in time.
void VoiceEngine::service() {
  while (true) {
    take_controls_and_inbound();
    const TimePoint now = clock_.now();
    for (Inbound& in : taken_) {
      const auto call = calls_.find(in.call);
      if (call != calls_.end() && call->second.generation == in.generation)
        call->second.media->on_datagram(in.arrival, in.payload);
    }
    taken_.clear();
    if (device_->capture_readable() >= frame_samples_) {
      // The device just took a playback frame: if it was not written yet, we are late.
      if (frames_played() <= media_stats_.frames_captured) play_frame(now);
      capture_frame(now);
      learn_frame_clock(now);
      last_frame_at_ = now;
    } else if (playout_due(now)) {
      play_frame(now);
    } else {
      if (next_frame_at_ && now >= *next_frame_at_) frame_missed_ = true;
      break;
    }
  }
  publish();
}

uint64_t VoiceEngine::frames_played() const {
  return media_stats_.frames_written + media_stats_.playback_frames_skipped;
}

TimePoint VoiceEngine::playout_at() const {
  return *last_frame_at_ + frame_period_ - std::min(config_.playout_lead, frame_period_);
}

bool VoiceEngine::playout_due(TimePoint now) const {
  return last_frame_at_ && frames_played() == media_stats_.frames_captured && now >= playout_at();
}

void VoiceEngine::take_controls_and_inbound() {
  std::map<uint64_t, CallSlot> wanted;
  bool changed = false;
  {
    std::lock_guard lock(mutex_);
    changed = std::exchange(controls_changed_, false);
    if (changed) wanted = slots_;
    std::move(inbound_.begin(), inbound_.end(), std::back_inserter(taken_));
    inbound_.clear();
  }
  if (changed) sync_calls(wanted);
}

void VoiceEngine::sync_calls(const std::map<uint64_t, CallSlot>& wanted) {
  std::erase_if(calls_, [&](const auto& entry) {
    const auto slot = wanted.find(entry.first);
    return slot == wanted.end() || slot->second.generation != entry.second.generation;
  });
  for (const auto& [id, slot] : wanted) {
    auto [it, created] = calls_.try_emplace(id);
    ActiveCall& call = it->second;
    if (created) {
      CallMediaConfig media = config_.call;
      media.sender.encoder.frame = config_.frame;
      // Random starts, as RTP: a stale datagram of an earlier call never fits this one.
      media.sender.first_sequence = static_cast<uint16_t>(random_->next_u64());
      media.sender.first_timestamp = static_cast<uint32_t>(random_->next_u64());
      call.generation = slot.generation;
      call.media = std::make_unique<CallMedia>(media);
    }
    call.media->set_gain(slot.gain);
    if (slot.echo_record_for && call.echo_generation != slot.echo_generation) {
      call.media->start_echo_service(*slot.echo_record_for);
      call.echo_generation = slot.echo_generation;
    }
  }
}

void VoiceEngine::capture_frame(TimePoint now) {
  device_->read_capture(capture_);
  ++media_stats_.frames_captured;
  levels_.input.process(capture_);
  if (calls_.empty()) return;  // nothing to send: skip the processing too
  // reference_ is the frame the device took for the speaker as it handed us this
  // capture frame: its echo arrives in this frame or later, as the canceller expects.
  // With processing on, the encoder takes its 16 kHz speech band as it is.
  const std::span<Sample> voice = processor_.process_to_band(capture_, reference_);
  const float gain = levels_.microphone.linear();  // 0 when muted: DTX takes over
  if (gain != 1.0f) apply_gain(voice, gain);
  for (auto& [id, call] : calls_) {
    if (std::optional<Bytes> payload = call.media->send(now, voice)) send_(id, std::move(*payload));
  }
}

void VoiceEngine::play_frame(TimePoint now) {
  // The device should have taken everything but a part of a frame by now. Holding two
  // frames, or a whole one twice running (we were late once, then caught up), it is
  // behind us: skip a frame to keep the latency down. The jitter buffer keeps the audio
  // and steers its delay back by stretching.
  const size_t queued = kRingSamples - device_->playback_writable();
  frames_ahead_ = queued >= frame_samples_ ? frames_ahead_ + 1 : 0;
  if (queued >= 2 * frame_samples_ || frames_ahead_ >= 2) {
    frames_ahead_ = 0;
    ++media_stats_.playback_frames_skipped;
    return;
  }
  mixer_.clear();
  for (auto& [id, call] : calls_) {
    call.media->play(now, voice_);
    if (call.media->audible()) mixer_.add(voice_, call.media->gain());
  }
  alerts_.mix_into(mixer_);
  mixer_.finish(levels_.speaker.linear(), reference_);
  levels_.output.process(reference_);
  device_->write_playback(reference_);
  ++media_stats_.frames_written;
}

void VoiceEngine::publish() {
  media_stats_.media_thread_cpu = thread_cpu_time();
  std::lock_guard lock(mutex_);
  for (const auto& [id, call] : calls_) {
    const auto slot = slots_.find(id);
    if (slot == slots_.end() || slot->second.generation != call.generation) continue;
    slot->second.published = call.media->stats();
    // A new set_echo_mode not taken up yet: the earlier recording's end does not count.
    if (call.echo_generation != slot->second.echo_generation) slot->second.published.echo_finished = false;
  }
  engine_stats_.frames_captured = media_stats_.frames_captured;
  engine_stats_.frames_written = media_stats_.frames_written;
  engine_stats_.playback_frames_skipped = media_stats_.playback_frames_skipped;
  engine_stats_.media_thread_cpu = media_stats_.media_thread_cpu;
}

void VoiceEngine::learn_frame_clock(TimePoint found_at) {
  // Found by a poll after a miss: it arrived within the last kPoll. Found at once: it may
  // have waited, so look a little earlier next time. Far off (a stall): start over.
  const bool on_clock = next_frame_at_ && !frame_missed_ && found_at - *next_frame_at_ < frame_period_;
  next_frame_at_ = on_clock ? *next_frame_at_ + frame_period_ - kCreep : found_at + frame_period_;
  frame_missed_ = false;
}

TimePoint VoiceEngine::next_wake(TimePoint now) const {
  if (!last_frame_at_ || !next_frame_at_) return now + kIdlePoll;
  TimePoint capture_check = *next_frame_at_;
  if (now >= capture_check) capture_check = now + (now - *last_frame_at_ < 2 * frame_period_ ? kPoll : kIdlePoll);
  // service() played anything already due, so a pending playout lies ahead.
  if (frames_played() == media_stats_.frames_captured) return std::min(capture_check, playout_at());
  return capture_check;
}

}  // namespace koe
