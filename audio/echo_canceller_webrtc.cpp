#include "audio/echo_canceller_webrtc.hpp"

#include <algorithm>
#include <stdexcept>

namespace koe {

WebrtcEchoCanceller::WebrtcEchoCanceller(Suppression suppression, int rate)
    : suppression_(suppression),
      frame_(processing_frame_samples(rate)),
      apm_(WebrtcApm::Options{.delay_agnostic = true, .extended_filter = true, .rate = rate}) {
  configure();
}

void WebrtcEchoCanceller::configure() {
  webrtc::EchoCancellation* aec = apm_.module().echo_cancellation();
  aec->enable_drift_compensation(false);
  using Level = webrtc::EchoCancellation::SuppressionLevel;
  const Level level = suppression_ == Suppression::kLow        ? webrtc::EchoCancellation::kLowSuppression
                      : suppression_ == Suppression::kModerate ? webrtc::EchoCancellation::kModerateSuppression
                                                               : webrtc::EchoCancellation::kHighSuppression;
  aec->set_suppression_level(level);
  if (aec->Enable(true) != webrtc::AudioProcessing::kNoError)
    throw std::runtime_error("webrtc echo cancellation failed to start");
}

void WebrtcEchoCanceller::process(std::span<const Sample> capture,
                                  std::span<const Sample> playback, std::span<Sample> out) {
  if (capture.size() != frame_ || playback.size() != frame_ || out.size() != frame_)
    throw std::invalid_argument("echo canceller frames must hold 10 ms");
  apm_.analyze_playback(playback);
  // Required with the AEC on. The delay-agnostic mode estimates the real delay
  // itself, so zero ("playback and capture are aligned") is only its starting point.
  // (Reporting our EchoDelayEstimator's delay instead helped at 250 ms and cost more
  // at short delays; see docs/echo-cancellation.md.)
  apm_.module().set_stream_delay_ms(0);
  std::copy(capture.begin(), capture.end(), out.begin());
  apm_.process_capture(out);
}

void WebrtcEchoCanceller::reset() {
  apm_.module().Initialize();
  configure();
}

}  // namespace koe
