#include "tests/lab/echo_metrics.hpp"

#include <fftw3.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>
#include <vector>

namespace koe::lab {

namespace {

constexpr size_t kSegment = kSampleRate / 50;  // 20 ms
constexpr double kFullScale = 32768.0 * 32768.0;
constexpr double kActiveDbfs = -60;  // a segment counts as "talking" above this
// A canceller that mutes its output entirely would score without limit; past this
// the echo is gone for any listener, and averages stay meaningful.
constexpr double kMaxErleDb = 60;
constexpr size_t kMaxLatency = kSampleRate * 30 / 1000;

size_t at_seconds(double s) { return static_cast<size_t>(s * kSampleRate); }

double energy(std::span<const Sample> x, size_t from, size_t to) {
  double e = 0;
  for (size_t i = from; i < std::min(to, x.size()); ++i) e += double(x[i]) * double(x[i]);
  return e;
}

bool active(std::span<const Sample> x, size_t from) {
  return 10 * std::log10(energy(x, from, from + kSegment) / kSegment / kFullScale + 1e-20) >
         kActiveDbfs;
}

// Capture over output power across the segments of [from, to) where the echo is active.
double erle(const EchoCase& c, std::span<const Sample> out, double from, double to) {
  double in = 1e-9, left = 1e-9;
  for (size_t at = at_seconds(from); at + kSegment <= at_seconds(to); at += kSegment)
    if (active(c.echo, at)) {
      in += energy(c.capture, at, at + kSegment);
      left += energy(out, at, at + kSegment);
    }
  return std::min(kMaxErleDb, 10 * std::log10(in / left));
}

// The lag (samples) that best aligns the output with the near-end voice.
size_t find_latency(const EchoCase& c, std::span<const Sample> out) {
  const size_t from = at_seconds(Timeline::kQuietEnd + 0.5);
  const size_t to = std::min(from + at_seconds(4), out.size() - kMaxLatency);
  double best = -std::numeric_limits<double>::infinity();
  size_t best_lag = 0;
  for (size_t lag = 0; lag < kMaxLatency; ++lag) {
    double dot = 0;
    for (size_t i = from; i < to; ++i) dot += double(out[i + lag]) * double(c.near[i]);
    if (dot > best) {
      best = dot;
      best_lag = lag;
    }
  }
  return best_lag;
}

// Magnitude-spectrum SNR (dB) of one 20 ms segment of `out` against `ref`, over
// 100 Hz..8 kHz: residual echo and lost near-end voice both count as error, while
// phase (a canceller's DC filter, a fraction of a sample of delay) does not.
class SpectralSnr {
 public:
  SpectralSnr() : in_(kFft, 0.0), spectrum_(kFft / 2 + 1) {
    plan_ = fftw_plan_dft_r2c_1d(kFft, in_.data(), reinterpret_cast<fftw_complex*>(spectrum_.data()),
                                 FFTW_ESTIMATE);
  }
  ~SpectralSnr() { fftw_destroy_plan(plan_); }
  SpectralSnr(const SpectralSnr&) = delete;
  SpectralSnr& operator=(const SpectralSnr&) = delete;

  double operator()(const std::vector<double>& ref, std::span<const Sample> out) {
    const auto a = magnitudes(ref);
    const auto b = magnitudes(std::vector<double>(out.begin(), out.end()));
    double signal = 1e-9, error = 1e-9;
    for (size_t k = kFft * 100 / kSampleRate; k <= kFft * 8000 / kSampleRate; ++k) {
      signal += a[k] * a[k];
      error += (a[k] - b[k]) * (a[k] - b[k]);
    }
    return std::clamp(10 * std::log10(signal / error), -10.0, 35.0);
  }

 private:
  static constexpr int kFft = 1024;

  std::vector<double> magnitudes(const std::vector<double>& x) {
    std::fill(in_.begin(), in_.end(), 0.0);
    for (size_t i = 0; i < x.size(); ++i)  // Hann window
      in_[i] = x[i] * (0.5 - 0.5 * std::cos(2 * std::numbers::pi * double(i) / double(x.size())));
    fftw_execute(plan_);
    std::vector<double> m(spectrum_.size());
    for (size_t k = 0; k < m.size(); ++k) m[k] = std::abs(spectrum_[k]);
    return m;
  }

  std::vector<double> in_;
  std::vector<std::complex<double>> spectrum_;
  fftw_plan plan_;
};

}  // namespace

EchoScores score(const EchoCase& c, std::span<const Sample> out) {
  EchoScores s;
  s.erle_db = erle(c, out, Timeline::kConvergence, Timeline::kFarOnlyEnd);
  s.erle_after_double_talk_db = erle(c, out, Timeline::kDoubleTalkEnd, Timeline::kTotal);

  if (std::isinf(c.spec.snr_db)) {
    s.echo_over_floor_db = std::numeric_limits<double>::quiet_NaN();
  } else {
    // The quiet stretch starts once the room's reverberation has died away.
    const size_t quiet_from = at_seconds(Timeline::kFarOnlyEnd + c.spec.rt60_s + 0.1);
    const size_t quiet_to = at_seconds(Timeline::kQuietEnd);
    double talk = 1e-9, quiet = 1e-9;
    size_t talk_n = 0;
    for (size_t at = at_seconds(Timeline::kConvergence); at + kSegment <= at_seconds(Timeline::kFarOnlyEnd); at += kSegment)
      if (active(c.echo, at)) {
        talk += energy(out, at, at + kSegment);
        talk_n += kSegment;
      }
    quiet += energy(out, quiet_from, quiet_to);
    s.echo_over_floor_db = 10 * std::log10((talk / double(std::max<size_t>(talk_n, 1))) /
                                           (quiet / double(quiet_to - quiet_from)));
  }

  const size_t lag = find_latency(c, out);
  s.latency_ms = double(lag) * 1000.0 / kSampleRate;
  SpectralSnr spectral_snr;
  double cross = 0, near_energy = 1e-9, snr_sum = 0;
  size_t segments = 0;
  for (size_t at = at_seconds(Timeline::kQuietEnd); at + kSegment <= at_seconds(Timeline::kDoubleTalkEnd); at += kSegment) {
    if (!active(c.near, at)) continue;
    std::vector<double> ref(kSegment);
    for (size_t i = at; i < at + kSegment; ++i) {
      cross += double(out[i + lag]) * c.near[i];
      near_energy += double(c.near[i]) * c.near[i];
      ref[i - at] = double(c.near[i]) + double(c.noise[i]);
    }
    snr_sum += spectral_snr(ref, out.subspan(at + lag, kSegment));
    ++segments;
  }
  s.near_gain_db = 20 * std::log10(std::max(cross / near_energy, 1e-3));
  s.double_talk_seg_snr_db = segments ? snr_sum / double(segments) : 0;
  return s;
}

}  // namespace koe::lab
