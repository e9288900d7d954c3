#include "tests/sim/speech_synth.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "net/random.hpp"
#include "tests/sim/link_model.hpp"

namespace koe::sim {

namespace {

// A two-pole resonator (one formant) at `frequency` Hz with bandwidth `width` Hz.
class Resonator {
 public:
  void tune(double frequency, double width) {
    const double r = std::exp(-std::numbers::pi * width / kSampleRate);
    a1_ = 2 * r * std::cos(2 * std::numbers::pi * frequency / kSampleRate);
    a2_ = -r * r;
    gain_ = 1 - r;
  }
  double step(double x) {
    const double y = gain_ * x + a1_ * y1_ + a2_ * y2_;
    y2_ = y1_;
    y1_ = y;
    return y;
  }

 private:
  double a1_ = 0, a2_ = 0, gain_ = 0, y1_ = 0, y2_ = 0;
};

double uniform(SeededRandom& random, double lo, double hi) {
  return lo + (hi - lo) * unit_interval(random);
}

// Raised-cosine fade in and out over `edge` samples of a segment `length` long.
double envelope(size_t i, size_t length, size_t edge) {
  const size_t from_end = length - 1 - i;
  const size_t d = std::min(i, from_end);
  if (d >= edge) return 1.0;
  return 0.5 - 0.5 * std::cos(std::numbers::pi * double(d) / double(edge));
}

}  // namespace

std::vector<Sample> synthesize_speech(double seconds, uint64_t seed) {
  SeededRandom random(seed);
  const auto total = static_cast<size_t>(seconds * kSampleRate);
  std::vector<double> signal;
  signal.reserve(total);
  std::array<Resonator, 3> formants;
  Resonator hiss;
  hiss.tune(5000, 2000);
  const size_t edge = kSampleRate / 100;  // 10 ms fades

  while (signal.size() < total) {
    // A voiced syllable: pitch glides, formants fixed for the vowel.
    const auto voiced = static_cast<size_t>(uniform(random, 0.12, 0.32) * kSampleRate);
    const double f0_start = uniform(random, 95, 220), f0_end = f0_start * uniform(random, 0.8, 1.2);
    formants[0].tune(uniform(random, 300, 800), 90);
    formants[1].tune(uniform(random, 900, 2300), 110);
    formants[2].tune(uniform(random, 2400, 3200), 150);
    const double loudness = uniform(random, 0.5, 1.0);
    double phase = 1.0;
    for (size_t i = 0; i < voiced; ++i) {
      const double f0 = f0_start + (f0_end - f0_start) * double(i) / double(voiced);
      phase += f0 / kSampleRate;
      double pulse = 0;
      if (phase >= 1.0) {
        phase -= 1.0;
        pulse = 1.0;
      }
      double y = 0;
      for (size_t f = 0; f < formants.size(); ++f) y += formants[f].step(pulse) * (f == 0 ? 1.0 : 0.6);
      signal.push_back(y * loudness * envelope(i, voiced, edge));
    }
    // Sometimes a fricative after it.
    if (unit_interval(random) < 0.4) {
      const auto unvoiced = static_cast<size_t>(uniform(random, 0.04, 0.10) * kSampleRate);
      for (size_t i = 0; i < unvoiced; ++i)
        signal.push_back(hiss.step(uniform(random, -1, 1)) * 6.0 * envelope(i, unvoiced, edge));
    }
    // A short gap between syllables, now and then a pause long enough for DTX.
    const double pause = unit_interval(random) < 0.12 ? uniform(random, 0.6, 1.2) : uniform(random, 0.03, 0.15);
    signal.resize(signal.size() + static_cast<size_t>(pause * kSampleRate), 0.0);
  }
  signal.resize(total);

  double peak = 1e-9;
  for (const double x : signal) peak = std::max(peak, std::abs(x));
  const double scale = 0.5 * 32767 / peak;  // peak at -6 dBFS
  std::vector<Sample> out(total);
  for (size_t i = 0; i < total; ++i) out[i] = static_cast<Sample>(std::lround(signal[i] * scale));
  // A faint noise floor, as a real microphone has (about -66 dBFS).
  for (Sample& s : out) s = static_cast<Sample>(s + static_cast<int>(random.next() % 33) - 16);
  return out;
}

}  // namespace koe::sim
