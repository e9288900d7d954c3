// SpeexEchoCanceller: speexdsp's MDF adaptive filter followed by its preprocessor's
// residual echo suppressor (noise suppression held at 0 dB, so only echo is cut). When
// an EchoDelayEstimator finds an echo delay longer than the filter covers, the far-end
// reference is delayed to line up on it. One thread at a time; owns both states.
#pragma once

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

  // `rate`: kSampleRate or kSpeechBandRate (a third of the work per second of tail).
  explicit SpeexEchoCanceller(Duration tail = kDefaultTail, bool align_delay = true, int rate = kSampleRate);
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

  // The reference is delayed this many frames fewer than the estimated echo delay,
  // so the filter also sees the start of the echo when the estimate runs late.
  static constexpr size_t kAlignmentMarginFrames = 5;
  // The filter must also hold this much of the room's reverberation after the delay.
  static constexpr size_t kRoomFrames = 10;

  std::unique_ptr<SpeexEchoState_, EchoDeleter> echo_;
  std::unique_ptr<SpeexPreprocessState_, PreprocessDeleter> suppressor_;
  const int rate_;
  const size_t frame_;  // 10 ms at rate_
  int tail_samples_ = 0;
  std::vector<Sample> capture_copy_;
  const size_t tail_frames_;
  const bool align_delay_;
  bool suppress_noise_ = false;
  EchoDelayEstimator delay_;
  std::vector<Sample> far_history_;  // the last max_delay + 1 far-end frames, circular
  size_t frames_ = 0;
  size_t shift_ = 0;  // frames the reference is currently delayed by
};

}  // namespace koe
