#include "audio/voice_processor.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace koe {

namespace {

using Apm = webrtc::AudioProcessing;

// AGC: bring speech peaks up toward -3 dBFS, at most 9 dB of compression gain on
// top of the adaptive (virtual microphone) gain, never clipping.
constexpr int kAgcTargetDbfs = 3;
constexpr int kAgcCompressionGainDb = 9;

uint8_t pack(const VoiceProcessingSwitches& s) {
  return static_cast<uint8_t>(s.echo_cancellation | s.noise_suppression << 1 | s.automatic_gain << 2 |
                              s.voice_activity_detection << 3);
}

VoiceProcessingSwitches unpack(uint8_t bits) {
  return {(bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0};
}

void check(int error, const char* what) {
  if (error != Apm::kNoError) throw std::runtime_error(std::string("webrtc: ") + what);
}

}  // namespace

VoiceProcessor::VoiceProcessor(EchoCancellerKind echo, VoiceProcessingSwitches switches)
    : echo_kind_(echo),
      wanted_(pack(switches)),
      echo_(make_echo_canceller(echo, kRate)),
      apm_(WebrtcApm::Options{.rate = kRate}),
      capture_down_(kSampleRate, kRate, kResamplerQuality, false),
      playback_down_(kSampleRate, kRate, kResamplerQuality, false),
      up_(kRate, kSampleRate, kResamplerQuality, false) {
  // Room for a frame plus the resampler's own slack (Resampler::process).
  for (auto* v : {&capture_band_, &playback_band_, &output_}) v->reserve(2 * kVoiceProcessingFrameSamples + 64);
  band_.reserve(6 * processing_frame_samples(kRate));  // 60 ms, the longest Opus frame
  Apm& apm = apm_.module();
  check(apm.noise_suppression()->set_level(webrtc::NoiseSuppression::kHigh), "noise level");
  webrtc::GainControl* agc = apm.gain_control();
  check(agc->set_mode(webrtc::GainControl::kAdaptiveDigital), "agc mode");
  check(agc->set_target_level_dbfs(kAgcTargetDbfs), "agc target");
  check(agc->set_compression_gain_db(kAgcCompressionGainDb), "agc gain");
  check(agc->enable_limiter(true), "agc limiter");
  check(apm.voice_detection()->set_likelihood(webrtc::VoiceDetection::kLowLikelihood),
        "vad likelihood");
  applied_ = VoiceProcessingSwitches{false, false, false, false};
  apply(switches);
}

void VoiceProcessor::set_switches(VoiceProcessingSwitches switches) {
  wanted_.store(pack(switches), std::memory_order_relaxed);
}

VoiceProcessingSwitches VoiceProcessor::switches() const {
  return unpack(wanted_.load(std::memory_order_relaxed));
}

void VoiceProcessor::apply(const VoiceProcessingSwitches& wanted) {
  // A canceller switched back on would start from a stale echo path and far-end
  // history: start it afresh.
  if (wanted.echo_cancellation && !applied_.echo_cancellation) {
    echo_->reset();
    playback_down_.reset();
  }
  // The same for the resamplers' few ms of history when processing starts again.
  const bool was_changing = changes_samples();
  // A canceller that analyses the noise anyway removes it too; WebRTC's suppressor only
  // runs without one (its own analysis window would add 6-7 ms more delay).
  const bool canceller_denoises = wanted.echo_cancellation && echo_->suppress_noise(wanted.noise_suppression);
  Apm& apm = apm_.module();
  check(apm.noise_suppression()->Enable(wanted.noise_suppression && !canceller_denoises), "noise suppression");
  check(apm.gain_control()->Enable(wanted.automatic_gain), "gain control");
  check(apm.voice_detection()->Enable(wanted.voice_activity_detection), "voice detection");
  applied_ = wanted;
  if (changes_samples() && !was_changing) {
    capture_down_.reset();
    up_.reset();
  }
}

bool VoiceProcessor::changes_samples() const {
  return applied_.echo_cancellation || applied_.noise_suppression || applied_.automatic_gain;
}

void VoiceProcessor::convert(Resampler& resampler, std::span<const Sample> in, std::vector<Sample>& out) {
  out.clear();
  resampler.process(in, out);
}

bool VoiceProcessor::process(std::span<Sample> capture, std::span<const Sample> playback) {
  return run(capture, playback, true);
}

std::span<Sample> VoiceProcessor::process_to_band(std::span<Sample> capture, std::span<const Sample> playback) {
  run(capture, playback, false);
  return changes_samples() ? std::span<Sample>(band_) : capture;
}

bool VoiceProcessor::run(std::span<Sample> capture, std::span<const Sample> playback, bool back_up) {
  if (capture.size() != playback.size() || capture.size() % kVoiceProcessingFrameSamples != 0)
    throw std::invalid_argument("voice processing needs equal whole 10 ms capture and playback");
  const VoiceProcessingSwitches wanted = unpack(wanted_.load(std::memory_order_relaxed));
  if (!(wanted == applied_)) apply(wanted);

  band_.clear();
  bool voice = !applied_.voice_activity_detection;
  for (size_t at = 0; at < capture.size(); at += kVoiceProcessingFrameSamples) {
    voice |= process_frame(capture.subspan(at, kVoiceProcessingFrameSamples),
                           playback.subspan(at, kVoiceProcessingFrameSamples), back_up);
  }
  return voice;
}

bool VoiceProcessor::process_frame(std::span<Sample> frame, std::span<const Sample> playback, bool back_up) {
  if (!changes_samples() && !applied_.voice_activity_detection) return false;
  convert(capture_down_, frame, capture_band_);
  if (!changes_samples()) return process_band(capture_band_);  // a copy: frame untouched
  if (applied_.echo_cancellation) {
    convert(playback_down_, playback, playback_band_);
    echo_->process(capture_band_, playback_band_, capture_band_);
  }
  const bool voice = process_band(capture_band_);
  if (!back_up) {
    band_.insert(band_.end(), capture_band_.begin(), capture_band_.end());
    return voice;
  }
  convert(up_, capture_band_, output_);
  // Integer ratios without delay removal give whole frames; guard the copy all the same.
  std::copy_n(output_.begin(), std::min(output_.size(), frame.size()), frame.begin());
  return voice;
}

bool VoiceProcessor::process_band(std::span<Sample> band) {
  if (band.size() != processing_frame_samples(kRate)) return false;
  Apm& apm = apm_.module();
  if (!apm.noise_suppression()->is_enabled() && !applied_.automatic_gain && !applied_.voice_activity_detection)
    return false;
  apm_.process_capture(band);
  return applied_.voice_activity_detection && apm_.has_voice();
}

}  // namespace koe
