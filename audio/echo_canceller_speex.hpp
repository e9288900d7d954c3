// SpeexEchoCanceller: speexdsp's MDF adaptive filter followed by its preprocessor's
// residual echo suppressor (noise suppression held at 0 dB, so only echo is cut). When
// an EchoDelayEstimator finds an echo delay longer than the filter covers, the far-end
// reference is delayed to line up on it. While the far end has been quiet for longer
// than the filter reaches there is no echo to cancel: the filter is not run but kept.
// One thread at a time; owns both states.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "audio/echo_canceller.hpp"
#include "audio/echo_delay_estimator.hpp"
#include "net/clock.hpp"

struct SpeexEchoState_;
struct SpeexPreprocessState_;

namespace koe {

class SpeexEchoCanceller final : public EchoCanceller {
 public:
  // The filter covers `tail` of echo path (delay plus room reverberation). Longer
  // tails cost CPU and adapt more slowly.
  static constexpr Duration kDefaultTail = std::chrono::milliseconds(300);

  // Far-end frames under this level (RMS) count as quiet: a listener's comfort noise,
  // whose echo lies under any microphone's own noise floor.
  static constexpr double kQuietFarEndDbfs = -60;

  // `rate`: kSampleRate or kSpeechBandRate (a third of the work per second of tail).
  // `skip_when_quiet`: while the far-end reference has been quiet for longer than the
  // filter (every frame it still holds is quiet) there is no echo to predict, and the
  // adaptive filter, most of the cost, runs on only one frame in kQuietRefreshFrames
  // (output unused). The learned echo path is kept for when the far end returns (the
  // very frame it does); the capture goes through the DC notch the canceller applies
  // and through the preprocessor (noise suppression) as before.
  explicit SpeexEchoCanceller(Duration tail = kDefaultTail, bool align_delay = true, int rate = kSampleRate,
                              bool skip_when_quiet = true);
  ~SpeexEchoCanceller() override;
  SpeexEchoCanceller(const SpeexEchoCanceller&) = delete;
  SpeexEchoCanceller& operator=(const SpeexEchoCanceller&) = delete;

  void process(std::span<const Sample> capture, std::span<const Sample> playback,
               std::span<Sample> out) override;
  void reset() override;
  // speexdsp's preprocessor estimates the noise anyway (its residual echo gain needs
  // it): on, it also removes the noise (kNoiseSuppressDb); off, noise passes (0 dB).
  bool suppress_noise(bool on) override;

  // Noise attenuation with suppress_noise(true).
  static constexpr int kNoiseSuppressDb = -20;

  // The last frame's output did not come from the adaptive filter (the far end had been
  // quiet long enough).
  bool skipping() const { return skipping_; }

 private:
  struct EchoDeleter {
    void operator()(SpeexEchoState_* state) const;
  };
  struct PreprocessDeleter {
    void operator()(SpeexPreprocessState_* state) const;
  };
  // Creates both speexdsp states afresh.
  void start();
  // The far-end frame `shift_` frames old, after remembering `playback`.
  std::span<const Sample> aligned_reference(std::span<const Sample> playback);
  // Counts quiet reference frames; whether the filter holds nothing but quiet ones.
  bool far_end_quiet(std::span<const Sample> reference);
  // Runs `capture` through the DC notch speexdsp's canceller puts first (mdf.c: a double
  // zero at DC, poles at notch_radius_), into notched_. It runs on every frame, so the
  // frames that skip the canceller continue its output seamlessly.
  void notch(std::span<const Sample> capture);

  // The reference is delayed this many frames fewer than the estimated echo delay,
  // so the filter also sees the start of the echo when the estimate runs late.
  static constexpr size_t kAlignmentMarginFrames = 5;
  // The filter must also hold this much of the room's reverberation after the delay.
  static constexpr size_t kRoomFrames = 10;
  // While skipping, one frame in this many still runs the filter (its output unused), so
  // that its running averages (far-end power, error and echo spectra) keep decaying as
  // they would. Measured on 12 synthetic echo paths after a 3 s gap: skipping every
  // frame cost 1 dB of ERLE in the first 0.5 s and 1-3 dB over the next 5 s (the filter
  // re-adapts more slowly); one in 2 stays within 0.3 dB, one in 4 within 0.9 dB.
  static constexpr size_t kQuietRefreshFrames = 2;

  std::unique_ptr<SpeexEchoState_, EchoDeleter> echo_;
  std::unique_ptr<SpeexPreprocessState_, PreprocessDeleter> suppressor_;
  const int rate_;
  const size_t frame_;  // 10 ms at rate_
  int tail_samples_ = 0;
  std::vector<Sample> capture_copy_;
  const size_t tail_frames_;
  const bool align_delay_;
  const bool skip_when_quiet_;
  bool suppress_noise_ = false;
  EchoDelayEstimator delay_;
  std::vector<Sample> far_history_;  // the last max_delay + 1 far-end frames, circular
  size_t frames_ = 0;
  size_t shift_ = 0;  // frames the reference is currently delayed by
  size_t quiet_frames_ = 0;  // quiet reference frames in a row (counted up to the filter's)
  bool skipping_ = false;    // the preprocessor is detached from the echo state meanwhile
  size_t frames_skipped_ = 0;  // since skipping_ last changed
  const float notch_radius_;
  std::array<float, 2> notch_memory_{};  // reset whenever speexdsp resets its own
  std::vector<Sample> notched_;
};

}  // namespace koe
