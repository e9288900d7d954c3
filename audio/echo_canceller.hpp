// EchoCanceller: removes the echo of the far-end (playback) signal from the captured
// signal, 10 ms of mono at a time at the rate it was made for (48 kHz, or the 16 kHz
// speech band VoiceProcessor runs at); one adapter per library (speexdsp, WebRTC).
// The audio worker thread owns an instance, which owns its library state.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "audio/audio_format.hpp"

namespace koe {

// Both libraries work on 10 ms blocks; so does the whole voice processing chain.
inline constexpr size_t kVoiceProcessingFrameSamples = frame_samples(FrameLength::k10ms);
// The rates the processing libraries are run at here: kSampleRate or kSpeechBandRate.
inline constexpr size_t processing_frame_samples(int rate) { return static_cast<size_t>(rate / 100); }

enum class EchoCancellerKind { kSpeex, kWebrtc };

// Chosen on the echo corpus numbers in docs/echo-cancellation.md.
inline constexpr EchoCancellerKind kDefaultEchoCanceller = EchoCancellerKind::kSpeex;

// "speex" / "webrtc", and back (nullopt for any other name).
std::string_view echo_canceller_name(EchoCancellerKind kind);
std::optional<EchoCancellerKind> parse_echo_canceller_kind(std::string_view name);

class EchoCanceller {
 public:
  virtual ~EchoCanceller() = default;

  // `capture`, `playback` and `out` each hold 10 ms (processing_frame_samples(rate));
  // `playback` is the far-end frame handed to the speaker at the time `capture` was
  // read (the echo of it arrives later in `capture`). `out` may alias `capture`.
  virtual void process(std::span<const Sample> capture, std::span<const Sample> playback,
                       std::span<Sample> out) = 0;
  // Forgets the learned echo path and far-end history (a new call, or the
  // canceller was switched off for a while).
  virtual void reset() = 0;
  // Takes over noise suppression too, when its residual suppressor already analyses the
  // noise (one spectral stage instead of two: less work, one frame of delay less). False:
  // this canceller cannot; the caller suppresses noise itself.
  virtual bool suppress_noise(bool /*on*/) { return false; }
};

// `rate`: kSampleRate or kSpeechBandRate.
std::unique_ptr<EchoCanceller> make_echo_canceller(EchoCancellerKind kind, int rate = kSampleRate);

}  // namespace koe
