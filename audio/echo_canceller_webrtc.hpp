// WebrtcEchoCanceller: the WebRTC audio processing module's acoustic echo canceller
// (the "legacy" AEC of webrtc-audio-processing 0.3, with its non-linear residual
// suppressor), finding the echo delay itself. One thread at a time; owns its module.
#pragma once

#include "audio/echo_canceller.hpp"
#include "audio/webrtc_apm.hpp"

namespace koe {

class WebrtcEchoCanceller final : public EchoCanceller {
 public:
  // How hard the residual suppressor works: higher cuts more echo and more of the
  // near-end voice during double talk.
  enum class Suppression { kLow, kModerate, kHigh };

  explicit WebrtcEchoCanceller(Suppression suppression = Suppression::kModerate, int rate = kSampleRate);

  void process(std::span<const Sample> capture, std::span<const Sample> playback,
               std::span<Sample> out) override;
  void reset() override;

 private:
  void configure();

  const Suppression suppression_;
  const size_t frame_;
  WebrtcApm apm_;
};

}  // namespace koe
