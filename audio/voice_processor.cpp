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
      echo_(make_echo_canceller(echo)),
      apm_(WebrtcApm::Options{}),
      scratch_(kVoiceProcessingFrameSamples) {
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
  if (wanted.echo_cancellation && !applied_.echo_cancellation) echo_->reset();
  Apm& apm = apm_.module();
  check(apm.noise_suppression()->Enable(wanted.noise_suppression), "noise suppression");
  check(apm.gain_control()->Enable(wanted.automatic_gain), "gain control");
  check(apm.voice_detection()->Enable(wanted.voice_activity_detection), "voice detection");
  applied_ = wanted;
}

bool VoiceProcessor::process(std::span<Sample> capture, std::span<const Sample> playback) {
  if (capture.size() != playback.size() || capture.size() % kVoiceProcessingFrameSamples != 0)
    throw std::invalid_argument("voice processing needs equal whole 10 ms capture and playback");
  const VoiceProcessingSwitches wanted = unpack(wanted_.load(std::memory_order_relaxed));
  if (!(wanted == applied_)) apply(wanted);

  bool voice = !applied_.voice_activity_detection;
  for (size_t at = 0; at < capture.size(); at += kVoiceProcessingFrameSamples) {
    voice |= process_frame(capture.subspan(at, kVoiceProcessingFrameSamples),
                           playback.subspan(at, kVoiceProcessingFrameSamples));
  }
  return voice;
}

bool VoiceProcessor::process_frame(std::span<Sample> frame, std::span<const Sample> playback) {
  if (applied_.echo_cancellation) echo_->process(frame, playback, frame);
  if (applied_.noise_suppression || applied_.automatic_gain) {
    apm_.process_capture(frame);
  } else if (applied_.voice_activity_detection) {
    std::copy(frame.begin(), frame.end(), scratch_.begin());
    apm_.process_capture(scratch_);
  } else {
    return false;
  }
  return applied_.voice_activity_detection && apm_.has_voice();
}

}  // namespace koe
