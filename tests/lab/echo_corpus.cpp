#include "tests/lab/echo_corpus.hpp"

#include <fftw3.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <random>
#include <stdexcept>

#include "audio/wav_file.hpp"

extern char** environ;

namespace koe::lab {

namespace {

// IEEE "Harvard" sentences (1969), the usual material for speech tests.
const char* const kSentences[] = {
    "The birch canoe slid on the smooth planks.",
    "Glue the sheet to the dark blue background.",
    "It's easy to tell the depth of a well.",
    "These days a chicken leg is a rare dish.",
    "Rice is often served in round bowls.",
    "The juice of lemons makes fine punch.",
    "The box was thrown beside the parked truck.",
    "The hogs were fed chopped corn and garbage.",
    "Four hours of steady work faced us.",
    "A large size in stockings is hard to sell.",
    "The boy was there when the sun rose.",
    "A rod is used to catch pink salmon.",
    "The source of the huge river is the clear spring.",
    "Kick the ball straight and follow through.",
    "Help the woman get back to her feet.",
    "A pot of tea helps to pass the evening.",
};
constexpr size_t kSentenceCount = std::size(kSentences);

// Male far-end talkers and female near-end talkers, so double talk mixes two voices.
const char* const kFarVoices[] = {"en-us", "en-gb", "en-gb-scotland"};
const char* const kNearVoices[] = {"en-us+f3", "en+f4", "en-gb+f2"};

constexpr double kFarLevelDbfs = -20;   // playback level while talking
constexpr double kEchoLevelDbfs = -30;  // 10 dB echo return loss
constexpr double kNearLevelDbfs = -30;  // as loud as the echo: hard double talk

size_t at_seconds(double s) { return static_cast<size_t>(s * kSampleRate); }

int run_espeak(const std::string& voice, const std::string& text, const std::string& path) {
  std::vector<std::string> args{"espeak-ng", "-v", voice, "-w", path, text};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, "espeak-ng", nullptr, nullptr, argv.data(), environ) != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// RMS in dBFS over the 20 ms frames that are within 40 dB of the loudest one
// ("active" speech level, pauses excluded).
double active_level_dbfs(std::span<const double> x) {
  const size_t frame = at_seconds(0.02);
  std::vector<double> powers;
  for (size_t at = 0; at + frame <= x.size(); at += frame) {
    double p = 0;
    for (size_t i = at; i < at + frame; ++i) p += x[i] * x[i];
    powers.push_back(p / double(frame));
  }
  const double loudest = powers.empty() ? 0 : *std::max_element(powers.begin(), powers.end());
  double sum = 0;
  size_t n = 0;
  for (double p : powers)
    if (p > loudest * 1e-4) {
      sum += p;
      ++n;
    }
  return n == 0 ? -200 : 10 * std::log10(sum / double(n) / (32768.0 * 32768.0));
}

double rms_dbfs(std::span<const double> x) {
  double p = 1e-12;
  for (double v : x) p += v * v;
  return 10 * std::log10(p / double(x.size()) / (32768.0 * 32768.0));
}

std::vector<Sample> quantize(std::span<const double> x, double gain_db) {
  const double g = std::pow(10.0, gain_db / 20);
  std::vector<Sample> out(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    out[i] = static_cast<Sample>(std::clamp(std::lround(g * x[i]), -32768L, 32767L));
  return out;
}

std::vector<Sample> at_level(std::span<const double> x, double dbfs) {
  return quantize(x, dbfs - active_level_dbfs(x));
}

// Linear convolution through one large FFT (fftw's planner is not thread-safe:
// call from one thread).
std::vector<double> convolve(std::span<const double> x, std::span<const double> h, size_t keep) {
  size_t n = 1;
  while (n < x.size() + h.size()) n <<= 1;
  std::vector<double> a(n, 0.0), b(n, 0.0);
  std::copy(x.begin(), x.end(), a.begin());
  std::copy(h.begin(), h.end(), b.begin());
  std::vector<std::complex<double>> fa(n / 2 + 1), fb(n / 2 + 1);
  auto* ca = reinterpret_cast<fftw_complex*>(fa.data());
  auto* cb = reinterpret_cast<fftw_complex*>(fb.data());
  fftw_plan pa = fftw_plan_dft_r2c_1d(static_cast<int>(n), a.data(), ca, FFTW_ESTIMATE);
  fftw_plan pb = fftw_plan_dft_r2c_1d(static_cast<int>(n), b.data(), cb, FFTW_ESTIMATE);
  fftw_plan back = fftw_plan_dft_c2r_1d(static_cast<int>(n), ca, a.data(), FFTW_ESTIMATE);
  fftw_execute(pa);
  fftw_execute(pb);
  for (size_t i = 0; i < fa.size(); ++i) fa[i] *= fb[i] / double(n);
  fftw_execute(back);
  fftw_destroy_plan(pa);
  fftw_destroy_plan(pb);
  fftw_destroy_plan(back);
  a.resize(keep);
  return a;
}

// A room: silence for the delay, a direct path, then exponentially decaying noise
// (60 dB down after RT60) carrying as much energy as the direct path.
std::vector<double> room_response(int delay_ms, double rt60_s, std::mt19937_64& rng) {
  const size_t delay = at_seconds(delay_ms / 1000.0);
  const size_t tail = at_seconds(rt60_s);
  std::normal_distribution<double> gauss(0, 1);
  std::vector<double> h(delay + tail, 0.0);
  h[delay] = 1.0;
  double energy = 0;
  for (size_t i = 1; i < tail; ++i) {
    h[delay + i] = gauss(rng) * std::exp(-6.91 * double(i) / double(tail));
    energy += h[delay + i] * h[delay + i];
  }
  const double scale = 1.0 / std::sqrt(energy);
  for (size_t i = 1; i < tail; ++i) h[delay + i] *= scale;
  return h;
}

// Sentences of `voice` laid from `from` to `to` seconds with pauses between them.
void lay_sentences(std::vector<double>& track, SpeechBank& bank, const std::string& voice,
                   double from, double to, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> pause(0.3, 0.9);
  std::uniform_int_distribution<size_t> pick(0, kSentenceCount - 1);
  size_t at = at_seconds(from);
  const size_t end = std::min(track.size(), at_seconds(to));
  while (true) {
    const auto& s = bank.sentence(voice, pick(rng));
    if (at + s.size() > end) break;
    std::copy(s.begin(), s.end(), track.begin() + static_cast<std::ptrdiff_t>(at));
    at += s.size() + at_seconds(pause(rng));
  }
}

// Stationary room noise: mostly low-frequency rumble with some white hiss.
std::vector<double> room_noise(size_t n, std::mt19937_64& rng) {
  std::normal_distribution<double> gauss(0, 1);
  std::vector<double> out(n);
  double low = 0;
  for (auto& v : out) {
    const double w = gauss(rng);
    low = 0.97 * low + w;
    v = low + 2.0 * w;
  }
  return out;
}

}  // namespace

std::string EchoCaseSpec::name() const {
  const std::string noise = std::isinf(snr_db) ? "clean" : std::to_string(int(snr_db)) + "dB";
  return "d" + std::to_string(delay_ms) + "_rt" + std::to_string(int(std::lround(rt60_s * 10))) +
         "_" + noise;
}

std::vector<EchoCaseSpec> corpus_grid(bool quick, uint64_t seed) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> rt60s = quick ? std::vector<double>{0.4} : std::vector<double>{0.2, 0.4, 0.6};
  const std::vector<double> snrs = quick ? std::vector<double>{inf, 10} : std::vector<double>{inf, 20, 10, 0};
  std::vector<EchoCaseSpec> grid;
  for (int delay : {40, 100, 150, 250, 400})
    for (double rt60 : rt60s)
      for (double snr : snrs)
        grid.push_back({delay, rt60, snr, seed * 1000 + grid.size()});
  return grid;
}

SpeechBank::SpeechBank(std::filesystem::path dir) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
}

const std::vector<Sample>& SpeechBank::sentence(const std::string& voice, size_t index) {
  index %= kSentenceCount;
  const std::string key = voice + "_" + std::to_string(index);
  for (const auto& [k, samples] : cache_)
    if (k == key) return samples;
  const std::string path = (dir_ / (key + ".wav")).string();
  if (!std::filesystem::exists(path) && run_espeak(voice, kSentences[index], path) != 0)
    throw std::runtime_error("espeak-ng failed (is the espeak-ng package installed?) for " + path);
  auto audio = load_wav_48k(path);
  if (!audio) throw std::runtime_error(audio.error());
  cache_.emplace_back(key, std::move(*audio));
  return cache_.back().second;
}

EchoCase build_case(const EchoCaseSpec& spec, SpeechBank& bank) {
  std::mt19937_64 rng(spec.seed);
  const size_t n = at_seconds(Timeline::kTotal);
  const std::string far_voice = kFarVoices[spec.seed % std::size(kFarVoices)];
  const std::string near_voice = kNearVoices[spec.seed % std::size(kNearVoices)];

  std::vector<double> far(n, 0.0), near(n, 0.0);
  lay_sentences(far, bank, far_voice, 0.3, Timeline::kFarOnlyEnd, rng);
  lay_sentences(far, bank, far_voice, Timeline::kQuietEnd, Timeline::kTotal, rng);
  lay_sentences(near, bank, near_voice, Timeline::kQuietEnd + 0.5, Timeline::kDoubleTalkEnd, rng);

  EchoCase c;
  c.spec = spec;
  c.far = at_level(far, kFarLevelDbfs);
  std::vector<double> far_played(c.far.begin(), c.far.end());
  c.echo = at_level(convolve(far_played, room_response(spec.delay_ms, spec.rt60_s, rng), n),
                    kEchoLevelDbfs);
  c.near = at_level(near, kNearLevelDbfs);
  if (std::isinf(spec.snr_db)) {
    c.noise.assign(n, 0);
  } else {
    const auto raw = room_noise(n, rng);
    c.noise = quantize(raw, kNearLevelDbfs - spec.snr_db - rms_dbfs(raw));
  }
  c.capture.resize(n);
  for (size_t i = 0; i < n; ++i)
    c.capture[i] = static_cast<Sample>(
        std::clamp(int(c.echo[i]) + int(c.near[i]) + int(c.noise[i]), -32768, 32767));
  return c;
}

}  // namespace koe::lab
