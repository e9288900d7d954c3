// AudioDevice: a microphone and a speaker seen through two preallocated SPSC
// rings (AudioRings). The audio worker thread alone calls read_capture and
// write_playback; the device's callback or driver thread (possibly in the audio
// host process) is the other end of both rings. The owner thread calls
// start/stop; status() and restart_from_beginning() may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include "audio/audio_format.hpp"
#include "audio/audio_rings.hpp"

namespace koe {

struct AudioDeviceStatus {
  bool running = false;
  std::string input_name;
  std::string output_name;
  std::string error;       // empty when healthy; otherwise one line saying what is wrong
  uint64_t overruns = 0;   // capture blocks cut short: the capture ring was full
  uint64_t underruns = 0;  // playback blocks padded with silence: the ring ran dry
  uint64_t restarts = 0;   // times the device reopened itself after a failure
};

class AudioDevice {
 public:
  explicit AudioDevice(RingsMemory memory = RingsMemory::heap()) : memory_(std::move(memory)) {}
  virtual ~AudioDevice() = default;
  AudioDevice(const AudioDevice&) = delete;
  AudioDevice& operator=(const AudioDevice&) = delete;

  // Owner thread. start() returns false (and status().error says why) when the
  // device cannot run; stop() is idempotent and also done by the destructor.
  virtual bool start() = 0;
  virtual void stop() = 0;
  virtual AudioDeviceStatus status() const = 0;
  // Any thread: a call connected. A device replaying a recording (the clocked
  // WAV device) starts it over and restarts its recording; live devices ignore it.
  virtual void restart_from_beginning() {}
  // Any thread: whatever is played goes nowhere (the null device), so sounds
  // meant only for a person, such as the ringtone, need not be played at all.
  virtual bool discards_playback() const { return false; }

  // Audio worker thread: captured samples out, samples to play in.
  size_t read_capture(std::span<Sample> out) { return rings().capture.read(out); }
  size_t capture_readable() const { return rings().capture.readable(); }
  size_t write_playback(std::span<const Sample> samples) { return rings().playback.write(samples); }
  size_t playback_writable() const { return rings().playback.writable(); }

 protected:
  AudioRings& rings() const { return memory_.rings(); }
  const RingsMemory& memory() const { return memory_; }

  // A status with the ring counters filled in, for implementations to complete.
  AudioDeviceStatus counters() const {
    AudioDeviceStatus s;
    s.overruns = rings().overruns.load(std::memory_order_relaxed);
    s.underruns = rings().underruns.load(std::memory_order_relaxed);
    return s;
  }

 private:
  RingsMemory memory_;
};

}  // namespace koe
