// WebrtcApm: one WebRTC AudioProcessing module (webrtc-audio-processing 0.3) run at
// 48 or 16 kHz mono on 10 ms frames; the common ground of the WebRTC echo canceller and the
// noise/gain/voice stages. One thread at a time; owns the module and its frame buffer.
#pragma once

#include <memory>
#include <span>

#include <webrtc/modules/audio_processing/include/audio_processing.h>
#include <webrtc/modules/interface/module_common_types.h>

#include "audio/echo_canceller.hpp"

namespace koe {

class WebrtcApm {
 public:
  struct Options {
    // AEC only: find the echo delay itself (no reliable delay from the devices) and
    // use the 128 ms filter instead of the 48 ms one.
    bool delay_agnostic = false;
    bool extended_filter = false;
    int rate = kSampleRate;  // or kSpeechBandRate (no band splitting: cheaper)
  };

  // Every component starts disabled; enable them through module().
  explicit WebrtcApm(Options options);

  webrtc::AudioProcessing& module() { return *apm_; }

  // The far-end frame about to be played (10 ms at the module's rate).
  void analyze_playback(std::span<const Sample> frame);
  // Runs the enabled components over a captured frame, in place. False (frame left
  // untouched) if the module rejects it.
  bool process_capture(std::span<Sample> frame);
  // The voice detector's decision for the last captured frame.
  bool has_voice() const;

 private:
  void load(std::span<const Sample> frame);

  int rate_;
  std::unique_ptr<webrtc::AudioProcessing> apm_;
  webrtc::AudioFrame frame_;
};

}  // namespace koe
