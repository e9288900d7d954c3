// AudioRings: what the two ends of an audio device share -- the capture and
// playback rings, xrun counters and callback heartbeats -- in one block without
// pointers, so it may sit in memory shared with the audio host process.
// RingsMemory owns such a block (heap or shared mapping). Device side: the
// callback or driver thread; worker side: the audio worker thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "audio/audio_format.hpp"
#include "audio/spsc_ring.hpp"

namespace koe {

inline constexpr size_t kRingSamples = 8192;  // about 170 ms at 48 kHz
using SampleRing = SpscRing<Sample, kRingSamples>;

struct AudioRings {
  SampleRing capture;   // the device side writes, the worker reads
  SampleRing playback;  // the worker writes, the device side reads
  std::atomic<uint64_t> overruns{0};   // capture blocks cut short: the ring was full
  std::atomic<uint64_t> underruns{0};  // playback blocks padded with silence
  // Bumped by every callback: the supervisor's proof that the device is alive.
  std::atomic<uint64_t> capture_callbacks{0};
  std::atomic<uint64_t> playback_callbacks{0};

  // Device side; real-time safe (ring copies and relaxed counters only).
  void push_capture(std::span<const Sample> samples) {
    if (capture.write(samples) < samples.size()) overruns.fetch_add(1, std::memory_order_relaxed);
  }
  void pull_playback(std::span<Sample> out) {
    const size_t got = playback.read(out);
    if (got == out.size()) return;
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(got), out.end(), Sample{0});
    underruns.fetch_add(1, std::memory_order_relaxed);
  }
};

// Owns one AudioRings block: on the heap, or in an anonymous shared-memory
// file (memfd) whose descriptor a child process inherits and maps. Move-only.
class RingsMemory {
 public:
  static RingsMemory heap();
  // Throws std::system_error if the kernel refuses the shared memory.
  static RingsMemory shared();
  // The audio host's side: maps an inherited descriptor made by shared().
  static RingsMemory map_inherited(int fd);

  RingsMemory(RingsMemory&& other) noexcept;
  RingsMemory& operator=(RingsMemory&& other) noexcept;
  ~RingsMemory();

  AudioRings& rings() const { return *rings_; }
  int fd() const { return fd_; }  // -1 for heap memory

 private:
  RingsMemory(AudioRings* rings, int fd, bool mapped) : rings_(rings), fd_(fd), mapped_(mapped) {}
  void release();

  AudioRings* rings_ = nullptr;
  int fd_ = -1;
  bool mapped_ = false;
};

}  // namespace koe
