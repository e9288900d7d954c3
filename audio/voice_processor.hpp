// VoiceProcessor: the capture-side voice chain, echo cancellation -> noise
// suppression -> automatic gain, plus voice activity detection, each switchable at
// run time. The audio worker thread calls process(); any thread may set_switches()
// (applied from the next frame on). It owns its echo canceller and WebRTC module.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "audio/echo_canceller.hpp"
#include "audio/webrtc_apm.hpp"

namespace koe {

// Which stages run. A stage that is off leaves the samples bit-exact.
struct VoiceProcessingSwitches {
  bool echo_cancellation = true;
  bool noise_suppression = true;
  bool automatic_gain = true;
  bool voice_activity_detection = true;

  bool operator==(const VoiceProcessingSwitches&) const = default;
};

class VoiceProcessor {
 public:
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

 private:
  void apply(const VoiceProcessingSwitches& wanted);
  bool process_frame(std::span<Sample> frame, std::span<const Sample> playback);

  const EchoCancellerKind echo_kind_;
  std::atomic<uint8_t> wanted_;  // VoiceProcessingSwitches as bits: always lock-free
  VoiceProcessingSwitches applied_;  // worker thread only
  std::unique_ptr<EchoCanceller> echo_;
  WebrtcApm apm_;  // noise suppression, gain and voice detection
  std::vector<Sample> scratch_;  // voice detection alone must not touch the samples
};

}  // namespace koe
