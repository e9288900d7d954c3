// EchoServiceRecorder: the echo test service for one call: it records what the caller
// says for a fixed time (starting when their voice first plays), then hands it back frame
// by frame as our outgoing voice, then reports finished. One owner thread (the media
// thread); it owns the recording buffer, allocated once at construction.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "audio/audio_format.hpp"
#include "audio/jitter_buffer.hpp"
#include "net/clock.hpp"

namespace koe {

class EchoServiceRecorder {
 public:
  enum class Phase { kWaiting, kRecording, kPlayingBack, kFinished };

  // Longer requests are cut to this: the buffer is allocated up front (~5.5 MB).
  static constexpr Duration kMaxRecording = std::chrono::seconds(60);

  explicit EchoServiceRecorder(Duration record_for);

  // A frame pulled from the caller's stream. Recording starts with the first frame that
  // is not the jitter buffer's start-up silence, so call set-up does not eat the time.
  void on_played(PlayoutKind kind, std::span<const Sample> frame);
  // Fills `out` with what we send now: silence while waiting and recording (so the
  // caller hears their own voice only once), the recording during playback, then
  // silence again.
  void next_outgoing(std::span<Sample> out);

  Phase phase() const { return phase_; }
  bool finished() const { return phase_ == Phase::kFinished; }

 private:
  std::vector<Sample> recording_;  // sized to the whole recording time
  size_t recorded_ = 0;
  size_t played_ = 0;
  Phase phase_ = Phase::kWaiting;
};

}  // namespace koe
