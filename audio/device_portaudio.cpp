#include "audio/device_portaudio.hpp"

#include <utility>

namespace koe {

namespace {

std::string milliseconds_text(Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

}  // namespace

PortAudioDevice::PortAudioDevice(PortAudioOptions options)
    : AudioDevice(RingsMemory::shared()), options_(std::move(options)) {}

PortAudioDevice::~PortAudioDevice() { stop(); }

bool PortAudioDevice::start() {
  {
    std::lock_guard lock(mutex_);
    if (wanted_) return true;
    wanted_ = true;
    ever_ran_ = false;
    launch(SteadyClock().now());
    // The first verdict decides whether this device is usable at all.
    while (phase_ == Phase::kStarting) {
      auto event = host_->next_event(options_.start_timeout);
      const TimePoint now = SteadyClock().now();
      if (event) {
        handle_event(*event, now);
      } else if (now - phase_since_ >= options_.start_timeout) {
        fail("the audio host did not report within " + milliseconds_text(options_.start_timeout),
             now);
      }
    }
    if (phase_ != Phase::kRunning) {
      wanted_ = false;
      host_.reset();
      return false;
    }
  }
  supervisor_ = std::make_unique<PacedThread>(options_.supervise_period,
                                              [this](TimePoint now) { supervise(now); });
  return true;
}

void PortAudioDevice::stop() {
  supervisor_.reset();  // joined before taking the lock it also takes
  std::lock_guard lock(mutex_);
  wanted_ = false;
  host_.reset();
  phase_ = Phase::kWaitingToRetry;
}

AudioDeviceStatus PortAudioDevice::status() const {
  AudioDeviceStatus s = counters();
  std::lock_guard lock(mutex_);
  s.running = wanted_ && phase_ == Phase::kRunning;
  s.restarts = restarts_;
  const bool recovering = wanted_ && phase_ != Phase::kRunning && !error_.empty();
  s.error = recovering ? error_ + "; reopening" : error_;
  s.input_name = input_name_;
  s.output_name = output_name_;
  return s;
}

void PortAudioDevice::supervise(TimePoint now) {
  std::lock_guard lock(mutex_);
  if (!wanted_) return;
  switch (phase_) {
    case Phase::kWaitingToRetry:
      if (now - phase_since_ >= options_.retry_period) launch(now);
      return;
    case Phase::kStarting:
      if (auto event = host_->next_event(Duration::zero())) {
        handle_event(*event, now);
      } else if (now - phase_since_ >= options_.start_timeout) {
        fail("the audio host did not report within " + milliseconds_text(options_.start_timeout),
             now);
      }
      return;
    case Phase::kRunning:
      if (auto event = host_->next_event(Duration::zero())) {
        handle_event(*event, now);
      } else if (const std::string stall = find_stall(now); !stall.empty()) {
        fail(stall, now);
      }
      return;
  }
}

void PortAudioDevice::launch(TimePoint now) {
  phase_since_ = now;
  auto host = AudioHostProcess::spawn(memory(), options_.input_device, options_.output_device);
  if (!host) {
    phase_ = Phase::kWaitingToRetry;
    error_ = host.error();
    return;
  }
  host_.emplace(std::move(*host));
  phase_ = Phase::kStarting;
}

void PortAudioDevice::handle_event(const AudioHostEvent& event, TimePoint now) {
  if (!event.ready) {
    fail(event.error, now);
    return;
  }
  phase_ = Phase::kRunning;
  phase_since_ = now;
  capture_seen_ = rings().capture_callbacks.load(std::memory_order_relaxed);
  playback_seen_ = rings().playback_callbacks.load(std::memory_order_relaxed);
  capture_progress_ = playback_progress_ = now;
  if (ever_ran_) ++restarts_;
  ever_ran_ = true;
  error_ = event.note;
  input_name_ = event.input_name;
  output_name_ = event.output_name;
}

std::string PortAudioDevice::find_stall(TimePoint now) {
  struct Watch {
    const char* what;
    const std::atomic<uint64_t>& callbacks;
    uint64_t& seen;
    TimePoint& progress;
  };
  for (const Watch& w : {Watch{"capture", rings().capture_callbacks, capture_seen_, capture_progress_},
                         Watch{"playback", rings().playback_callbacks, playback_seen_,
                               playback_progress_}}) {
    const uint64_t callbacks = w.callbacks.load(std::memory_order_relaxed);
    if (callbacks != w.seen) {
      w.seen = callbacks;
      w.progress = now;
      continue;
    }
    // Before its first callback a stream gets the (longer) start allowance.
    const bool flowing = w.progress != phase_since_;
    const Duration limit = flowing ? options_.stall_timeout : options_.start_timeout;
    if (now - w.progress > limit)
      return std::string("no ") + w.what + " callback for " + milliseconds_text(now - w.progress);
  }
  return "";
}

void PortAudioDevice::fail(const std::string& why, TimePoint now) {
  host_.reset();  // kills the host even if PortAudio hangs inside it
  // A device that was running is retried at once; repeated failures are spaced.
  const bool was_running = phase_ == Phase::kRunning;
  phase_ = Phase::kWaitingToRetry;
  phase_since_ = was_running ? now - options_.retry_period : now;
  error_ = why;
}

}  // namespace koe
