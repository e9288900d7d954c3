#include "tests/sim/speech_quality.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

namespace koe::sim {

namespace {

constexpr size_t kFftSize = 1024;         // 21 ms at 48 kHz
constexpr double kLowHz = 50, kHighHz = 8000;
constexpr double kFloorDb = 50;           // spectral floor below the reference peak
constexpr size_t kSnrFrame = 960;         // 20 ms
constexpr double kActiveBelowPeakDb = 40;
constexpr double kSnrMin = -10, kSnrMax = 35;
constexpr size_t kDecimation = 8;         // coarse alignment at 6 kHz
constexpr size_t kMaxDelay = kSampleRate / 2;  // search up to 500 ms of delay
constexpr size_t kBlock = kSampleRate / 5;        // 200 ms blocks follow the delay
constexpr int kBlockSearch = kSampleRate / 10;   // +-100 ms around the last delay

using Complex = std::complex<double>;

// In-place iterative radix-2 FFT; a.size() is a power of two.
void fft(std::vector<Complex>& a) {
  const size_t n = a.size();
  for (size_t i = 1, j = 0; i < n; ++i) {
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  for (size_t len = 2; len <= n; len <<= 1) {
    const Complex step = std::polar(1.0, -2 * std::numbers::pi / double(len));
    for (size_t i = 0; i < n; i += len) {
      Complex w = 1;
      for (size_t k = 0; k < len / 2; ++k) {
        const Complex u = a[i + k], v = a[i + k + len / 2] * w;
        a[i + k] = u + v;
        a[i + k + len / 2] = u - v;
        w *= step;
      }
    }
  }
}

std::vector<double> power_spectrum(std::span<const Sample> x) {
  std::vector<Complex> a(kFftSize, 0.0);
  for (size_t i = 0; i < std::min(x.size(), kFftSize); ++i) {
    const double hann = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * double(i) / double(kFftSize - 1));
    a[i] = double(x[i]) * hann;
  }
  fft(a);
  std::vector<double> p(kFftSize / 2);
  for (size_t k = 0; k < p.size(); ++k) p[k] = std::norm(a[k]);
  return p;
}

double energy(std::span<const Sample> x) {
  double e = 0;
  for (const Sample s : x) e += double(s) * s;
  return e;
}

// Normalised cross-correlation of r[0, n) with d[lag, lag + n) (0 where d runs out).
double correlation(std::span<const Sample> r, std::span<const Sample> d, int64_t lag) {
  double rd = 0, rr = 0, dd = 0;
  for (size_t i = 0; i < r.size(); ++i) {
    const int64_t j = int64_t(i) + lag;
    const double x = r[i], y = (j >= 0 && j < int64_t(d.size())) ? d[size_t(j)] : 0.0;
    rd += x * y;
    rr += x * x;
    dd += y * y;
  }
  return (rr > 0 && dd > 0) ? rd / std::sqrt(rr * dd) : 0.0;
}

std::vector<Sample> decimate(std::span<const Sample> x) {
  std::vector<Sample> out(x.size() / kDecimation);
  for (size_t i = 0; i < out.size(); ++i) {
    int sum = 0;
    for (size_t k = 0; k < kDecimation; ++k) sum += x[i * kDecimation + k];
    out[i] = static_cast<Sample>(sum / int(kDecimation));
  }
  return out;
}

// The delay (samples) by which `degraded` lags `reference` over the whole recording.
int64_t global_delay(std::span<const Sample> reference, std::span<const Sample> degraded,
                     std::span<const Sample> r, std::span<const Sample> d) {
  const int64_t max_lag = int64_t(std::min(kMaxDelay / kDecimation, d.size()));
  int64_t best = 0;
  double best_c = -2;
  for (int64_t lag = 0; lag < max_lag; ++lag) {
    const double c = correlation(r, d, lag);
    if (c > best_c) best_c = c, best = lag;
  }
  // Refine at full rate around the coarse lag.
  const int64_t coarse = best * int64_t(kDecimation);
  best_c = -2;
  for (int64_t lag = coarse - int64_t(kDecimation); lag <= coarse + int64_t(kDecimation); ++lag) {
    const double c = correlation(reference, degraded, lag);
    if (c > best_c) best_c = c, best = lag;
  }
  return best;
}

// Best lag for reference[at, at + n) within `center` +- `search`, all at full rate.
int64_t local_delay(std::span<const Sample> reference, std::span<const Sample> degraded, size_t at, size_t n,
                    int64_t center, int64_t search) {
  const auto block = reference.subspan(at, n);
  int64_t best = center;
  double best_c = -2;
  for (int64_t lag = center - search; lag <= center + search; ++lag) {
    const double c = correlation(block, degraded, int64_t(at) + lag);
    if (c > best_c) best_c = c, best = lag;
  }
  return best;
}

// As local_delay for a wide search: coarse on the decimated signals, then refined.
int64_t block_delay(std::span<const Sample> reference, std::span<const Sample> degraded,
                    std::span<const Sample> reference_low, std::span<const Sample> degraded_low, size_t at,
                    int64_t center) {
  const int64_t d = int64_t(kDecimation);
  const int64_t coarse =
      local_delay(reference_low, degraded_low, at / kDecimation, kBlock / kDecimation, center / d, kBlockSearch / d);
  return local_delay(reference, degraded, at, kBlock, coarse * d, d);
}

}  // namespace

double log_spectral_distance(std::span<const Sample> reference, std::span<const Sample> degraded) {
  const auto pr = power_spectrum(reference), pd = power_spectrum(degraded);
  const double floor = *std::max_element(pr.begin(), pr.end()) * std::pow(10.0, -kFloorDb / 10) + 1e-9;
  const double bin_hz = double(kSampleRate) / kFftSize;
  const auto lo = static_cast<size_t>(std::ceil(kLowHz / bin_hz)), hi = static_cast<size_t>(kHighHz / bin_hz);
  double sum = 0;
  for (size_t k = lo; k <= hi; ++k) {
    const double diff = 10 * std::log10(std::max(pr[k], floor)) - 10 * std::log10(std::max(pd[k], floor));
    sum += diff * diff;
  }
  return std::sqrt(sum / double(hi - lo + 1));
}

QualityScore score_speech(std::span<const Sample> reference, std::span<const Sample> degraded) {
  QualityScore score;
  if (reference.size() < kBlock || degraded.empty()) return score;
  const auto reference_low = decimate(reference), degraded_low = decimate(degraded);
  const int64_t delay = global_delay(reference, degraded, reference_low, degraded_low);
  score.delay_samples = int(delay);

  double loudest = 0;
  for (size_t at = 0; at + kSnrFrame <= reference.size(); at += kSnrFrame)
    loudest = std::max(loudest, energy(reference.subspan(at, kSnrFrame)));
  const double active_threshold = loudest * std::pow(10.0, -kActiveBelowPeakDb / 10);

  double snr_sum = 0, lsd_sum = 0;
  int64_t delay_here = delay;
  std::vector<Sample> aligned(kFftSize);
  for (size_t block = 0; block + kBlock <= reference.size(); block += kBlock) {
    if (energy(reference.subspan(block, kBlock)) > active_threshold * (kBlock / kSnrFrame))
      delay_here = block_delay(reference, degraded, reference_low, degraded_low, block, delay_here);
    for (size_t at = block; at + kSnrFrame <= block + kBlock; at += kSnrFrame) {
      const auto ref = reference.subspan(at, kSnrFrame);
      if (energy(ref) < active_threshold) continue;
      // Fine alignment of this frame (a codec shifts phase a little).
      const int64_t lag = local_delay(reference, degraded, at, kSnrFrame, delay_here, 24);
      double noise = 0;
      for (size_t i = 0; i < kSnrFrame; ++i) {
        const int64_t j = int64_t(at + i) + lag;
        const double y = (j >= 0 && j < int64_t(degraded.size())) ? degraded[size_t(j)] : 0.0;
        noise += (ref[i] - y) * (ref[i] - y);
      }
      const double snr = 10 * std::log10(energy(ref) / std::max(noise, 1e-9));
      snr_sum += std::clamp(snr, kSnrMin, kSnrMax);

      const size_t n = std::min(kFftSize, reference.size() - at);
      for (size_t i = 0; i < kFftSize; ++i) {
        const int64_t j = int64_t(at + i) + lag;
        aligned[i] = (i < n && j >= 0 && j < int64_t(degraded.size())) ? degraded[size_t(j)] : 0;
      }
      lsd_sum += log_spectral_distance(reference.subspan(at, n), aligned);
      ++score.frames_scored;
    }
  }
  if (score.frames_scored > 0) {
    score.segmental_snr_db = snr_sum / score.frames_scored;
    score.log_spectral_distance_db = lsd_sum / score.frames_scored;
  }
  return score;
}

}  // namespace koe::sim
