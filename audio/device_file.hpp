// ClockedWavDevice: a microphone that plays a WAV file and a speaker that records
// into one, paced one frame per frame period by tick(now): from its own
// steady-clock thread, or by a simulation's virtual time. With no files it is a
// silent, paced null device. Owner thread: open/start/stop; tick: the driving
// thread only; status() and restart_from_beginning(): any thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "audio/audio_device.hpp"
#include "audio/audio_format.hpp"
#include "audio/paced_thread.hpp"
#include "audio/resampler.hpp"
#include "audio/wav_file.hpp"
#include "net/clock.hpp"
#include "net/expected.hpp"

namespace koe {

struct ClockedDeviceOptions {
  std::string input_path;       // WAV played as the microphone, looped; empty: silence
  std::string output_path;      // WAV recording the speaker; empty: discarded
  int output_rate = kSampleRate;  // the recording's sample rate (resampled from 48 kHz)
  FrameLength frame = kDefaultFrameLength;
  bool own_thread = true;  // false: the caller drives tick(now) (simulations)
  std::string note;        // shown as status().error, e.g. why this is a null device
};

class ClockedWavDevice final : public AudioDevice {
 public:
  // Frames a single tick moves at most; a longer gap is skipped, not replayed.
  static constexpr int kMaxCatchUpFrames = 50;

  // Loads and validates the input WAV and creates the output WAV; errors name the file.
  static Expected<std::unique_ptr<ClockedWavDevice>, std::string> open(
      const ClockedDeviceOptions& options);
  ~ClockedWavDevice() override;

  bool start() override;
  void stop() override;  // also completes the recording (the resampler's tail)
  AudioDeviceStatus status() const override;

  // Moves every frame due by `now`: frame k (k >= 1) is due at first_tick + k * period.
  void tick(TimePoint now);
  // When tick() next has work; TimePoint{} (at once) before the first tick,
  // kNever while stopped.
  TimePoint next_tick() const;
  // A call connected: from the next frame on, the source plays from its first
  // sample again and the recording restarts empty.
  void restart_from_beginning() override;
  bool discards_playback() const override { return options_.output_path.empty(); }

 private:
  ClockedWavDevice(const ClockedDeviceOptions& options, std::vector<Sample> source,
                   std::optional<WavWriter> sink);
  void move_one_frame();
  void fill_from_source();
  void record(std::span<const Sample> played);
  void finish_recording();
  void set_error(const std::string& error);

  const ClockedDeviceOptions options_;
  const Duration period_;
  const std::vector<Sample> source_;  // 48 kHz mono; empty: silence
  size_t source_pos_ = 0;
  std::optional<WavWriter> sink_;
  Resampler sink_resampler_;
  std::vector<Sample> frame_;      // preallocated: one frame
  std::vector<Sample> resampled_;  // reused: one frame at the output rate

  std::optional<TimePoint> first_tick_;
  uint64_t frames_moved_ = 0;
  std::atomic<bool> running_{false};
  std::atomic<bool> restart_requested_{false};
  std::unique_ptr<PacedThread> thread_;

  mutable std::mutex error_mutex_;
  std::string error_;
};

}  // namespace koe
