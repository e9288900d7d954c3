#include "audio/echo_canceller_speex.hpp"

#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

#include <algorithm>
#include <cmath>
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

// The mean square of a quiet far-end frame, at most.
const double kQuietPower = 32768.0 * 32768.0 * std::pow(10.0, SpeexEchoCanceller::kQuietFarEndDbfs / 10);

}  // namespace

void SpeexEchoCanceller::EchoDeleter::operator()(SpeexEchoState_* state) const {
  speex_echo_state_destroy(state);
}

void SpeexEchoCanceller::PreprocessDeleter::operator()(SpeexPreprocessState_* state) const {
  speex_preprocess_state_destroy(state);
}

SpeexEchoCanceller::SpeexEchoCanceller(Duration tail, bool align_delay, int rate, bool skip_when_quiet)
    : rate_(rate),
      frame_(processing_frame_samples(rate)),
      capture_copy_(frame_),
      tail_frames_(static_cast<size_t>(tail / frame_period(FrameLength::k10ms))),
      align_delay_(align_delay),
      skip_when_quiet_(skip_when_quiet),
      far_history_((EchoDelayConfig{}.max_delay_frames + 1) * frame_),
      // speexdsp's radii for these rates (SPEEX_ECHO_SET_SAMPLING_RATE).
      notch_radius_(rate < 24000 ? 0.982f : 0.992f),
      notched_(frame_) {
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
  notch_memory_ = {};
  quiet_frames_ = 0;
  skipping_ = false;
}

void SpeexEchoCanceller::process(std::span<const Sample> capture, std::span<const Sample> playback,
                                 std::span<Sample> out) {
  if (capture.size() != frame_ || playback.size() != frame_ || out.size() != frame_)
    throw std::invalid_argument("echo canceller frames must hold 10 ms");
  const auto reference = aligned_reference(playback);
  if (align_delay_) delay_.push(capture, playback);
  const bool skip = skip_when_quiet_ && far_end_quiet(reference);
  if (skip != skipping_) {
    // Detached, the preprocessor sees no residual echo: what the filter would predict
    // from a quiet far end is nothing anyway. The noise estimate carries on either way.
    speex_preprocess_ctl(suppressor_.get(), SPEEX_PREPROCESS_SET_ECHO_STATE, skip ? nullptr : echo_.get());
    skipping_ = skip;
    frames_skipped_ = 0;
  }
  notch(capture);
  if (skip) {
    // With nothing to predict the filter's output is its notched input. Every
    // kQuietRefreshFrames-th frame still goes through the filter (output unused) so that
    // its running statistics keep forgetting the last talk spurt, as they would: frozen,
    // they slow its re-adaptation when the far end returns.
    if (++frames_skipped_ % kQuietRefreshFrames == 0)
      speex_echo_cancellation(echo_.get(), capture.data(), reference.data(), capture_copy_.data());
    std::copy(notched_.begin(), notched_.end(), out.begin());
  } else {
    // speexdsp does not promise in-place operation, and `out` may alias `capture`.
    std::copy(capture.begin(), capture.end(), capture_copy_.begin());
    speex_echo_cancellation(echo_.get(), capture_copy_.data(), reference.data(), out.data());
  }
  speex_preprocess_run(suppressor_.get(), out.data());
}

bool SpeexEchoCanceller::far_end_quiet(std::span<const Sample> reference) {
  double power = 0;
  for (const Sample s : reference) power += double(s) * double(s);
  const bool frame_quiet = power < kQuietPower * double(reference.size());
  // The filter holds the current frame and tail_frames_ before it.
  quiet_frames_ = frame_quiet ? std::min(quiet_frames_ + 1, tail_frames_ + 1) : 0;
  return quiet_frames_ > tail_frames_;
}

void SpeexEchoCanceller::notch(std::span<const Sample> capture) {
  // speexdsp's float arithmetic, so both outputs agree to the rounding.
  const float r = notch_radius_;
  const auto den2 = static_cast<float>(r * r + 0.7 * (1 - r) * (1 - r));
  auto& m = notch_memory_;
  for (size_t i = 0; i < capture.size(); ++i) {
    const float in = capture[i];
    const float v = m[0] + in;
    m[0] = m[1] + 2 * (-in + r * v);
    m[1] = in - den2 * v;
    notched_[i] = static_cast<Sample>(std::clamp(std::floor(0.5f + r * v), -32768.0f, 32767.0f));
  }
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
    notch_memory_ = {};  // as speexdsp's reset does to its notch
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
