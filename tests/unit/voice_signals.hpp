// Test helper: deterministic synthetic signals for the voice processing tests
// (speech-like harmonic syllables, noise, a small echo path) and power measures, so
// the tests need no speech synthesizer. Plain functions; any thread.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <span>
#include <vector>

#include "audio/audio_format.hpp"

namespace koe::test {

inline size_t seconds(double s) { return static_cast<size_t>(s * kSampleRate); }

inline Sample clamp_sample(double v) {
  return static_cast<Sample>(std::clamp(std::lround(v), -32768L, 32767L));
}

// Speech-like audio with a controlled level (the simulator's synthesizer puts its
// peaks in fricatives, leaving the vowels 30 dB lower): voiced "syllables", harmonics
// of a gliding pitch under a formant-like tilt, of random length and loudness,
// grouped into phrases with pauses; RMS about `level` (full scale 32767) while voiced.
inline std::vector<Sample> speech_like(size_t n, double level, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<Sample> out(n, 0);
  size_t at = seconds(0.1);
  double phase = 0;
  while (at < n) {
    const int syllables = 3 + static_cast<int>(unit(rng) * 6);
    for (int s = 0; s < syllables && at < n; ++s) {
      const size_t length = seconds(0.12 + 0.25 * unit(rng));
      const double f0 = 90 + 130 * unit(rng);
      const double loudness = 0.5 + unit(rng);
      for (size_t i = 0; i < length && at + i < n; ++i) {
        const double t = double(i) / double(length);
        phase += 2 * std::numbers::pi * f0 * (1.1 - 0.2 * t) / kSampleRate;
        double v = 0;
        for (int k = 1; k * f0 < 4000; ++k) {
          const double formant = 1.0 + 2.0 * std::exp(-std::pow((k * f0 - 700) / 300, 2)) +
                                 1.0 * std::exp(-std::pow((k * f0 - 1800) / 400, 2));
          v += formant / k * std::sin(k * phase);
        }
        out[at + i] = clamp_sample(level * 0.9 * loudness * std::sin(std::numbers::pi * t) * v);
      }
      at += length + seconds(0.03 + 0.08 * unit(rng));
    }
    at += seconds(0.2 + 0.6 * unit(rng));  // pause between phrases
  }
  return out;
}

inline std::vector<Sample> white_noise(size_t n, double rms, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> dist(0, rms);
  std::vector<Sample> out(n);
  for (auto& s : out) s = clamp_sample(dist(rng));
  return out;
}

// A small room: the direct path after `delay` and a few decaying reflections.
inline std::vector<Sample> echo_of(std::span<const Sample> far, size_t delay, double gain,
                                   uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> spread(1, seconds(0.06));
  std::uniform_real_distribution<double> sign(-1, 1);
  std::vector<std::pair<size_t, double>> taps{{delay, gain}};
  for (int r = 0; r < 12; ++r) {
    const size_t extra = spread(rng);
    taps.emplace_back(delay + extra, gain * 0.5 * sign(rng) * std::exp(-double(extra) / seconds(0.03)));
  }
  std::vector<Sample> out(far.size());
  for (size_t i = 0; i < far.size(); ++i) {
    double v = 0;
    for (const auto& [lag, g] : taps)
      if (i >= lag) v += g * far[i - lag];
    out[i] = clamp_sample(v);
  }
  return out;
}

inline std::vector<Sample> mix(std::span<const Sample> a, std::span<const Sample> b) {
  std::vector<Sample> out(a.size());
  for (size_t i = 0; i < a.size(); ++i) out[i] = clamp_sample(double(a[i]) + double(b[i]));
  return out;
}

// Mean power in dB (full scale 0 dB) of samples [from, to).
inline double power_db(std::span<const Sample> s, size_t from, size_t to) {
  double sum = 1e-3;
  for (size_t i = from; i < to; ++i) sum += double(s[i]) * double(s[i]);
  return 10 * std::log10(sum / double(to - from) / (32768.0 * 32768.0));
}

}  // namespace koe::test
