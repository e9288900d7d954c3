#include "audio/echo_service_recorder.hpp"

#include <algorithm>

namespace koe {

namespace {

size_t samples_in(Duration d) {
  const Duration clamped = std::clamp(d, Duration::zero(), EchoServiceRecorder::kMaxRecording);
  return static_cast<size_t>(clamped.count() * kSampleRate / 1'000'000);
}

}  // namespace

EchoServiceRecorder::EchoServiceRecorder(Duration record_for) : recording_(samples_in(record_for)) {
  if (recording_.empty()) phase_ = Phase::kFinished;
}

void EchoServiceRecorder::on_played(PlayoutKind kind, std::span<const Sample> frame) {
  if (phase_ == Phase::kWaiting && kind != PlayoutKind::kSilence) phase_ = Phase::kRecording;
  if (phase_ != Phase::kRecording) return;
  const size_t n = std::min(frame.size(), recording_.size() - recorded_);
  std::copy_n(frame.begin(), n, recording_.begin() + static_cast<std::ptrdiff_t>(recorded_));
  recorded_ += n;
  if (recorded_ == recording_.size()) phase_ = Phase::kPlayingBack;
}

void EchoServiceRecorder::next_outgoing(std::span<Sample> out) {
  size_t n = 0;
  if (phase_ == Phase::kPlayingBack) {
    n = std::min(out.size(), recording_.size() - played_);
    std::copy_n(recording_.begin() + static_cast<std::ptrdiff_t>(played_), n, out.begin());
    played_ += n;
    if (played_ == recording_.size()) phase_ = Phase::kFinished;
  }
  std::fill(out.begin() + static_cast<std::ptrdiff_t>(n), out.end(), Sample{0});
}

}  // namespace koe
