#include "audio/echo_canceller_speex.hpp"

#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace koe {

namespace {

// Residual echo attenuation (dB) when only the far end talks, and while the near
// end talks too (milder, to keep the near-end voice during double talk).
constexpr spx_int32_t kEchoSuppressDb = -40;
constexpr spx_int32_t kEchoSuppressActiveDb = -15;

void set(SpeexPreprocessState* state, int request, spx_int32_t value) {
  speex_preprocess_ctl(state, request, &value);
}

}  // namespace

void SpeexEchoCanceller::EchoDeleter::operator()(SpeexEchoState_* state) const {
  speex_echo_state_destroy(state);
}

void SpeexEchoCanceller::PreprocessDeleter::operator()(SpeexPreprocessState_* state) const {
  speex_preprocess_state_destroy(state);
}

SpeexEchoCanceller::SpeexEchoCanceller(Duration tail, bool align_delay, int rate)
    : rate_(rate),
      frame_(processing_frame_samples(rate)),
      capture_copy_(frame_),
      tail_frames_(static_cast<size_t>(tail / frame_period(FrameLength::k10ms))),
      align_delay_(align_delay),
      far_history_((EchoDelayConfig{}.max_delay_frames + 1) * frame_) {
  if (rate != kSampleRate && rate != kSpeechBandRate)
    throw std::invalid_argument("speex echo canceller runs at 48 or 16 kHz");
  const auto tail_samples = tail.count() * rate / 1'000'000;
  if (tail_samples < static_cast<int64_t>(frame_) || tail_samples > 4 * rate)
    throw std::invalid_argument("speex echo tail must lie between 10 ms and 4 s");
  tail_samples_ = static_cast<int>(tail_samples);
  start();
}

SpeexEchoCanceller::~SpeexEchoCanceller() = default;

void SpeexEchoCanceller::start() {
  // speex_echo_state_reset() keeps some of what the filter learned; a fresh state
  // really starts over. The suppressor points at the echo state: it goes first.
  suppressor_.reset();
  const int frame = static_cast<int>(frame_);
  echo_.reset(speex_echo_state_init(frame, tail_samples_));
  if (!echo_) throw std::runtime_error("speex_echo_state_init failed");
  spx_int32_t rate = rate_;
  speex_echo_ctl(echo_.get(), SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
  suppressor_.reset(speex_preprocess_state_init(frame, rate_));
  if (!suppressor_) throw std::runtime_error("speex_preprocess_state_init failed");
  SpeexPreprocessState* s = suppressor_.get();
  // speexdsp applies its residual echo gain only with denoising on; a 0 dB noise
  // floor keeps the noise itself untouched unless we suppress noise here too.
  set(s, SPEEX_PREPROCESS_SET_DENOISE, 1);
  set(s, SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, suppress_noise_ ? kNoiseSuppressDb : 0);
  set(s, SPEEX_PREPROCESS_SET_AGC, 0);
  set(s, SPEEX_PREPROCESS_SET_DEREVERB, 0);
  set(s, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS, kEchoSuppressDb);
  set(s, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE, kEchoSuppressActiveDb);
  speex_preprocess_ctl(s, SPEEX_PREPROCESS_SET_ECHO_STATE, echo_.get());
}

void SpeexEchoCanceller::process(std::span<const Sample> capture, std::span<const Sample> playback,
                                 std::span<Sample> out) {
  if (capture.size() != frame_ || playback.size() != frame_ || out.size() != frame_)
    throw std::invalid_argument("echo canceller frames must hold 10 ms");
  // speexdsp does not promise in-place operation, and `out` may alias `capture`.
  std::copy(capture.begin(), capture.end(), capture_copy_.begin());
  const auto reference = aligned_reference(playback);
  if (align_delay_) delay_.push(capture, playback);
  speex_echo_cancellation(echo_.get(), capture_copy_.data(), reference.data(), out.data());
  speex_preprocess_run(suppressor_.get(), out.data());
}

std::span<const Sample> SpeexEchoCanceller::aligned_reference(std::span<const Sample> playback) {
  const size_t slots = far_history_.size() / frame_;
  std::copy(playback.begin(), playback.end(), far_history_.begin() + static_cast<std::ptrdiff_t>((frames_ % slots) * frame_));
  // Moving the reference invalidates the learned filter (and an estimate made during
  // double talk may be off): only when the echo no longer fits in the filter.
  if (const auto delay = delay_.delay_frames();
      delay && (*delay < shift_ || *delay + kRoomFrames > shift_ + tail_frames_)) {
    shift_ = *delay > kAlignmentMarginFrames ? *delay - kAlignmentMarginFrames : 0;
    speex_echo_state_reset(echo_.get());
  }
  const size_t slot = (frames_ + slots - std::min(shift_, frames_)) % slots;
  ++frames_;
  return std::span<const Sample>(far_history_).subspan(slot * frame_, frame_);
}

bool SpeexEchoCanceller::suppress_noise(bool on) {
  suppress_noise_ = on;
  set(suppressor_.get(), SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, on ? kNoiseSuppressDb : 0);
  return true;
}

void SpeexEchoCanceller::reset() {
  start();
  delay_.reset();
  std::fill(far_history_.begin(), far_history_.end(), 0);
  frames_ = 0;
  shift_ = 0;
}

}  // namespace koe
