// PortAudioDevice: the real microphone and speaker. PortAudio itself runs in an
// audio host child process (audio_host.hpp) whose callbacks fill rings shared
// with this process; a supervisor thread here watches the callbacks' heartbeats
// and the host's reports, and when a device fails, vanishes or hangs it replaces
// the host with a fresh one (which also sees the current devices). Owner
// thread: start/stop; status(): any thread.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "audio/audio_device.hpp"
#include "audio/audio_host.hpp"
#include "audio/paced_thread.hpp"
#include "net/clock.hpp"

namespace koe {

// A changed default device: for ALSA's "default" (PipeWire, PulseAudio) the sound
// server moves the streams itself; otherwise the next replacement host opens the
// new default. PortAudio offers no notification of its own.
struct PortAudioOptions {
  std::string input_device;   // a choose_device() selector; empty: the default
  std::string output_device;  // likewise
  // A running host whose streams make no callback for stall_timeout has failed.
  Duration stall_timeout = std::chrono::milliseconds(500);
  // A new host must report and make its first callbacks within this.
  Duration start_timeout = std::chrono::milliseconds(3000);
  Duration supervise_period = std::chrono::milliseconds(100);
  Duration retry_period = std::chrono::milliseconds(250);  // between failed starts
};

class PortAudioDevice final : public AudioDevice {
 public:
  // Throws std::system_error only if the kernel refuses shared memory.
  explicit PortAudioDevice(PortAudioOptions options = {});
  ~PortAudioDevice() override;

  // Starts the host and waits (at most start_timeout) for its streams; false
  // with status().error when there is no usable device (then nothing runs).
  bool start() override;
  void stop() override;
  AudioDeviceStatus status() const override;

  // One supervisor pass; the supervisor thread calls it every supervise_period.
  void supervise(TimePoint now);

 private:
  enum class Phase { kStarting, kRunning, kWaitingToRetry };

  // These run with mutex_ held.
  void launch(TimePoint now);
  void handle_event(const AudioHostEvent& event, TimePoint now);
  std::string find_stall(TimePoint now);
  void fail(const std::string& why, TimePoint now);

  const PortAudioOptions options_;
  mutable std::mutex mutex_;  // guards everything below
  std::optional<AudioHostProcess> host_;
  Phase phase_ = Phase::kWaitingToRetry;
  TimePoint phase_since_{};
  uint64_t capture_seen_ = 0;  // heartbeats at the last progress
  uint64_t playback_seen_ = 0;
  TimePoint capture_progress_{};
  TimePoint playback_progress_{};
  bool wanted_ = false;
  bool ever_ran_ = false;
  uint64_t restarts_ = 0;
  std::string error_;
  std::string input_name_;
  std::string output_name_;
  std::unique_ptr<PacedThread> supervisor_;  // outside mutex_: joined without it
};

}  // namespace koe
