#include "audio/webrtc_apm.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace koe {

WebrtcApm::WebrtcApm(Options options) : rate_(options.rate) {
  webrtc::Config config;
  // The "experimental" AGC drives an analog microphone volume we do not have; our
  // gain stage is the digital one.
  config.Set<webrtc::ExperimentalAgc>(new webrtc::ExperimentalAgc(false));
  config.Set<webrtc::DelayAgnostic>(new webrtc::DelayAgnostic(options.delay_agnostic));
  config.Set<webrtc::ExtendedFilter>(new webrtc::ExtendedFilter(options.extended_filter));
  apm_.reset(webrtc::AudioProcessing::Create(config));
  if (!apm_) throw std::runtime_error("webrtc AudioProcessing::Create failed");
  using Apm = webrtc::AudioProcessing;
  if ((rate_ != kSampleRate && rate_ != kSpeechBandRate) ||
      apm_->Initialize(rate_, rate_, rate_, Apm::kMono, Apm::kMono, Apm::kMono) != Apm::kNoError)
    throw std::runtime_error("webrtc AudioProcessing refused " + std::to_string(rate_) + " Hz mono");
}

void WebrtcApm::load(std::span<const Sample> frame) {
  if (frame.size() != processing_frame_samples(rate_))
    throw std::invalid_argument("webrtc audio processing frames must hold 10 ms");
  frame_.UpdateFrame(-1, 0, frame.data(), frame.size(), rate_,
                     webrtc::AudioFrame::kNormalSpeech, webrtc::AudioFrame::kVadUnknown, 1);
}

void WebrtcApm::analyze_playback(std::span<const Sample> frame) {
  load(frame);
  apm_->AnalyzeReverseStream(&frame_);
}

bool WebrtcApm::process_capture(std::span<Sample> frame) {
  load(frame);
  if (apm_->ProcessStream(&frame_) != webrtc::AudioProcessing::kNoError) return false;
  std::copy_n(frame_.data_, frame.size(), frame.begin());
  return true;
}

bool WebrtcApm::has_voice() const { return apm_->voice_detection()->stream_has_voice(); }

}  // namespace koe
