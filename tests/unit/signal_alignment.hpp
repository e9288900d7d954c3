// Test helper: finds where a piece of a reference signal reappears in a recording
// (normalised cross-correlation over a lag range, coarse on a decimated copy, then
// refined at full rate), for the voice engine tests and its latency lab.
// Plain functions; any thread.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "audio/audio_format.hpp"

namespace koe::test {

struct Alignment {
  int64_t lag = 0;           // samples: recording[i + lag] matches reference[i]
  double correlation = -1;   // normalised, in [-1, 1]
};

// Normalised correlation of reference[0, n) with recording[lag, lag + n) (zeros where
// the recording runs out).
inline double correlation_at(std::span<const Sample> reference, std::span<const Sample> recording,
                             int64_t lag) {
  double rd = 0, rr = 0, dd = 0;
  for (size_t i = 0; i < reference.size(); ++i) {
    const int64_t j = int64_t(i) + lag;
    const double x = reference[i];
    const double y = (j >= 0 && j < int64_t(recording.size())) ? recording[size_t(j)] : 0.0;
    rd += x * y;
    rr += x * x;
    dd += y * y;
  }
  return (rr > 0 && dd > 0) ? rd / std::sqrt(rr * dd) : 0.0;
}

// Averages blocks of `factor` samples: a crude low-pass and decimation in one.
inline std::vector<Sample> decimate(std::span<const Sample> x, size_t factor) {
  std::vector<Sample> out(x.size() / factor);
  for (size_t i = 0; i < out.size(); ++i) {
    int sum = 0;
    for (size_t k = 0; k < factor; ++k) sum += x[i * factor + k];
    out[i] = static_cast<Sample>(sum / int(factor));
  }
  return out;
}

// The lag in [min_lag, max_lag] at which reference[from, from + n) best matches the
// recording. Searches at 48 kHz / `factor` first, then +-factor samples at full rate.
inline Alignment align(std::span<const Sample> reference, std::span<const Sample> recording, size_t from,
                       size_t n, int64_t min_lag, int64_t max_lag, size_t factor = 8) {
  const std::vector<Sample> r = decimate(reference.subspan(from, n), factor);
  const std::vector<Sample> d = decimate(recording, factor);
  const auto f = int64_t(factor);
  Alignment coarse;
  for (int64_t lag = min_lag / f; lag <= max_lag / f; ++lag) {
    const double c = correlation_at(r, d, lag + int64_t(from) / f);
    if (c > coarse.correlation) coarse = {lag * f, c};
  }
  Alignment best;
  for (int64_t lag = coarse.lag - f; lag <= coarse.lag + f; ++lag) {
    const double c = correlation_at(reference.subspan(from, n), recording, lag + int64_t(from));
    if (c > best.correlation) best = {lag, c};
  }
  return best;
}

// Aligns each `block`-long piece of reference[from, to) louder than -50 dBFS on its
// own: a jitter buffer moves its delay between talkspurts, so one global lag would
// understate how well the audio matches.
inline std::vector<Alignment> align_blocks(std::span<const Sample> reference, std::span<const Sample> recording,
                                           size_t from, size_t to, size_t block, int64_t min_lag,
                                           int64_t max_lag) {
  std::vector<Alignment> out;
  for (size_t at = from; at + block <= to; at += block) {
    double power = 0;
    for (size_t i = at; i < at + block; ++i) power += double(reference[i]) * reference[i];
    if (10 * std::log10(power / double(block) / (32768.0 * 32768.0) + 1e-12) < -50) continue;
    out.push_back(align(reference, recording, at, block, min_lag, max_lag));
  }
  return out;
}

// The median correlation of some alignments (-1 for none).
inline double median_correlation(std::vector<Alignment> found) {
  if (found.empty()) return -1;
  const auto middle = found.begin() + std::ptrdiff_t(found.size() / 2);
  std::nth_element(found.begin(), middle, found.end(),
                   [](const Alignment& x, const Alignment& y) { return x.correlation < y.correlation; });
  return middle->correlation;
}

}  // namespace koe::test
