#include "audio/time_stretch.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace koe {

namespace {

constexpr size_t kDecimation = 4;
// Silence may be cut in longer steps than a voice period.
constexpr size_t kMaxSilenceStep = kSampleRate / 100;
constexpr size_t kMaxStep = std::max(kMaxPitchPeriod, kMaxSilenceStep);

// Normalised correlation of a[0, n) with a[lag, lag + n), n = lag.
template <typename T>
double period_correlation(std::span<const T> a, size_t lag) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < lag; ++i) {
    const double x = a[i], y = a[i + lag];
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  if (aa <= 0 || bb <= 0) return 0.0;
  return ab / std::sqrt(aa * bb);
}

}  // namespace

PitchPeriod find_pitch_period(std::span<const Sample> pcm) {
  const size_t max_lag = std::min(kMaxPitchPeriod, pcm.size() / 2);
  if (max_lag < kMinPitchPeriod) return {};

  // Coarse: every lag of a 12 kHz copy (averaging 4 samples is a fair low-pass for pitch).
  std::array<float, 2 * kMaxPitchPeriod / kDecimation> low{};
  const size_t low_size = 2 * max_lag / kDecimation;
  for (size_t i = 0; i < low_size; ++i) {
    float sum = 0;
    for (size_t k = 0; k < kDecimation; ++k) sum += pcm[i * kDecimation + k];
    low[i] = sum;
  }
  const std::span<const float> low_view(low.data(), low_size);
  PitchPeriod best;
  for (size_t lag = kMinPitchPeriod / kDecimation; lag <= max_lag / kDecimation; ++lag) {
    const double c = period_correlation(low_view, lag);
    if (c > best.correlation || best.period == 0) best = {lag * kDecimation, c};
  }
  // Fine: the 48 kHz lags around the coarse one.
  const size_t from = std::max(kMinPitchPeriod, best.period - (kDecimation - 1));
  const size_t to = std::min(max_lag, best.period + (kDecimation - 1));
  best.correlation = -1.0;
  for (size_t lag = from; lag <= to; ++lag) {
    const double c = period_correlation(pcm, lag);
    if (c > best.correlation) best = {lag, c};
  }
  return best;
}

int stretch(std::vector<Sample>& buffer, size_t begin, Stretch how, bool silence) {
  if (begin > buffer.size()) return 0;
  const std::span<const Sample> pcm(buffer.data() + begin, buffer.size() - begin);
  size_t period = 0;
  if (silence) {
    period = std::min(kMaxSilenceStep, pcm.size() / 2);
  } else {
    const PitchPeriod pitch = find_pitch_period(pcm);
    if (pitch.correlation >= kPeriodicCorrelation) period = pitch.period;
  }
  if (period < kMinPitchPeriod) return 0;

  // Linear cross-fade between a period and its neighbour: the join matches the
  // samples on both sides exactly, so the waveform stays continuous.
  std::array<Sample, kMaxStep> faded{};
  const auto p = static_cast<int64_t>(period);
  for (int64_t i = 0; i < p; ++i) {
    const int64_t first = pcm[i], second = pcm[i + p];
    const int64_t mix = how == Stretch::kShorten ? (first * (p - i) + second * i) / p
                                                 : (second * (p - i) + first * i) / p;
    faded[i] = static_cast<Sample>(mix);
  }
  const auto at = buffer.begin() + static_cast<std::ptrdiff_t>(begin);
  if (how == Stretch::kShorten) {
    // x[0, P) x[P, 2P) rest  ->  fade(x[0, P) -> x[P, 2P)) rest
    std::copy_n(faded.begin(), period, at);
    buffer.erase(at + p, at + 2 * p);
    return -static_cast<int>(period);
  }
  // x[0, P) x[P, 2P) rest  ->  x[0, P) fade(x[P, 2P) -> x[0, P)) x[P, 2P) rest
  buffer.insert(at + p, faded.begin(), faded.begin() + p);
  return static_cast<int>(period);
}

}  // namespace koe
