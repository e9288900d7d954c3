// VoiceProcessor: the capture-side voice chain, echo cancellation -> noise
// suppression -> automatic gain, plus voice activity detection, each switchable at
// run time. The chain runs on the 16 kHz speech band (a third of the work of 48 kHz):
// capture and playback are resampled down, the result back up to 48 kHz (process) or
// handed on as it is to the encoder (process_to_band). The audio worker thread calls
// those; any thread may set_switches() (applied from the next frame on). It owns its
// echo canceller and WebRTC module.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "audio/echo_canceller.hpp"
#include "audio/resampler.hpp"
#include "audio/webrtc_apm.hpp"

namespace koe {

// Which stages run. With echo cancellation, noise suppression and gain all off the
// samples stay bit-exact (voice detection alone looks at a copy); with any of them on
// the output is band-limited to 8 kHz and delayed 3 ms by the resamplers (1.5 ms,
// the way down only, from process_to_band).
struct VoiceProcessingSwitches {
  bool echo_cancellation = true;
  bool noise_suppression = true;
  bool automatic_gain = true;
  bool voice_activity_detection = true;

  bool operator==(const VoiceProcessingSwitches&) const = default;
};

class VoiceProcessor {
 public:
  // Processing rate and the quality of the resamplers around it (speexdsp 0..10):
  // 3 delays 1.5 ms down and 1.5 ms up; higher qualities cost 1 ms more each step.
  static constexpr int kRate = kSpeechBandRate;
  static constexpr int kResamplerQuality = 3;

  explicit VoiceProcessor(EchoCancellerKind echo = kDefaultEchoCanceller,
                          VoiceProcessingSwitches switches = {});

  // Any thread.
  void set_switches(VoiceProcessingSwitches switches);
  VoiceProcessingSwitches switches() const;
  EchoCancellerKind echo_canceller() const { return echo_kind_; }

  // Worker thread. Cleans `capture` in place, given `playback`, the far-end audio
  // handed to the speaker at the same moment. Both hold the same whole number of
  // 10 ms frames (std::invalid_argument otherwise). Returns whether any 10 ms frame
  // holds voice; always true while voice activity detection is off, so nothing is
  // ever dropped as silence by mistake.
  bool process(std::span<Sample> capture, std::span<const Sample> playback);
  // Worker thread, for the encoder: as process(), but with a sample-changing stage on
  // it returns the cleaned 16 kHz speech band (a third as many samples, valid until the
  // next call) and leaves `capture` as it was, sparing the way back up to 48 kHz (and
  // the encoder's way down again); with none on it returns `capture` itself. A stream
  // uses one of process() and process_to_band(), not both.
  std::span<Sample> process_to_band(std::span<Sample> capture, std::span<const Sample> playback);

 private:
  void apply(const VoiceProcessingSwitches& wanted);
  // Both entry points: the cleaned band goes back up into `capture` (`back_up`), or
  // into band_.
  bool run(std::span<Sample> capture, std::span<const Sample> playback, bool back_up);
  bool process_frame(std::span<Sample> frame, std::span<const Sample> playback, bool back_up);
  bool changes_samples() const;
  // Runs the enabled WebRTC stages over `band`; the voice decision.
  bool process_band(std::span<Sample> band);
  // 10 ms through `resampler` into `out` (whole frames in, whole frames out).
  static void convert(Resampler& resampler, std::span<const Sample> in, std::vector<Sample>& out);

  const EchoCancellerKind echo_kind_;
  std::atomic<uint8_t> wanted_;  // VoiceProcessingSwitches as bits: always lock-free
  VoiceProcessingSwitches applied_;  // worker thread only
  std::unique_ptr<EchoCanceller> echo_;  // at kRate
  WebrtcApm apm_;  // noise suppression, gain and voice detection, at kRate
  Resampler capture_down_;
  Resampler playback_down_;
  Resampler up_;
  // 10 ms frames, reused (capacity reserved: no allocation per frame).
  std::vector<Sample> capture_band_;
  std::vector<Sample> playback_band_;
  std::vector<Sample> output_;
  std::vector<Sample> band_;  // process_to_band's result; capacity for 60 ms
};

}  // namespace koe
