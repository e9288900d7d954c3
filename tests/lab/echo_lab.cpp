// koe-echo-lab: builds the synthetic echo corpus (tests/lab/echo_corpus.hpp), runs
// each echo canceller over every case and prints the tables of
// docs/echo-cancellation.md (optionally every row as CSV, and WAVs to listen to).
// Command-line tool; cases run one after another, the cancellers of a case in parallel.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "audio/echo_canceller_speex.hpp"
#include "audio/echo_canceller_webrtc.hpp"
#include "audio/voice_processor.hpp"
#include "audio/wav_file.hpp"
#include "tests/lab/echo_corpus.hpp"
#include "tests/lab/echo_metrics.hpp"

namespace {

using koe::Sample;
using namespace koe::lab;

struct Options {
  std::string work_dir = (std::filesystem::temp_directory_path() / "koe-echo-lab").string();
  std::vector<std::string> backends{"none", "speex", "webrtc"};
  bool quick = false;
  uint64_t seed = 1;
  std::string only, csv, wav_dir;
  std::string webrtc_suppression = "moderate";
  bool speex_no_align = false;
  int speex_tail_ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(koe::SpeexEchoCanceller::kDefaultTail).count());
};

struct Row {
  EchoCaseSpec spec;
  std::string backend;
  EchoScores scores;
  double us_per_frame = 0;  // CPU cost of one 10 ms frame
};

// The capture chain as the engine runs it (in the 16 kHz speech band): the canceller,
// then noise suppression unless `noise` is false; gain control off so levels stay
// comparable. Seen through the canceller interface.
class ChainBackend final : public koe::EchoCanceller {
 public:
  ChainBackend(koe::EchoCancellerKind kind, bool noise)
      : processor_(kind, {.echo_cancellation = true,
                          .noise_suppression = noise,
                          .automatic_gain = false,
                          .voice_activity_detection = false}) {}
  void process(std::span<const Sample> capture, std::span<const Sample> playback,
               std::span<Sample> out) override {
    std::copy(capture.begin(), capture.end(), out.begin());
    processor_.process(out, playback);
  }
  void reset() override {}

 private:
  koe::VoiceProcessor processor_;
};

std::unique_ptr<koe::EchoCanceller> make_backend(const std::string& name, const Options& o) {
  if (name == "speex")
    return std::make_unique<koe::SpeexEchoCanceller>(std::chrono::milliseconds(o.speex_tail_ms),
                                                      !o.speex_no_align);
  if (name == "webrtc") {
    using S = koe::WebrtcEchoCanceller::Suppression;
    const S level = o.webrtc_suppression == "low" ? S::kLow : o.webrtc_suppression == "high" ? S::kHigh : S::kModerate;
    return std::make_unique<koe::WebrtcEchoCanceller>(level);
  }
  if (name == "speex+ns") return std::make_unique<ChainBackend>(koe::EchoCancellerKind::kSpeex, true);
  if (name == "webrtc+ns") return std::make_unique<ChainBackend>(koe::EchoCancellerKind::kWebrtc, true);
  if (name == "speex-band") return std::make_unique<ChainBackend>(koe::EchoCancellerKind::kSpeex, false);
  if (name == "webrtc-band") return std::make_unique<ChainBackend>(koe::EchoCancellerKind::kWebrtc, false);
  return nullptr;  // "none": the capture passes through
}

// Runs one canceller over the case; returns its CPU cost per 10 ms frame (µs).
double run_backend(const EchoCase& c, const std::string& name, const Options& o, std::vector<Sample>& out) {
  auto canceller = make_backend(name, o);
  out = c.capture;
  const auto start = std::chrono::steady_clock::now();
  size_t frames = 0;
  if (canceller) {
    constexpr size_t n = koe::kVoiceProcessingFrameSamples;
    for (size_t at = 0; at + n <= out.size(); at += n, ++frames)
      canceller->process(std::span(c.capture).subspan(at, n), std::span(c.far).subspan(at, n),
                         std::span(out).subspan(at, n));
  }
  const std::chrono::duration<double, std::micro> spent = std::chrono::steady_clock::now() - start;
  return frames ? spent.count() / double(frames) : 0;
}

void write_wav(const std::string& dir, const std::string& name, const std::vector<Sample>& s) {
  std::filesystem::create_directories(dir);
  auto w = koe::WavWriter::create((std::filesystem::path(dir) / (name + ".wav")).string(), koe::kSampleRate);
  if (w) w->append(s);
}

// Means of the scores of `rows` grouped by `key`, one markdown table.
void print_table(const std::vector<Row>& rows, const std::string& title, const std::string& key_name,
                 const std::function<std::string(const Row&)>& key) {
  struct Sum {
    double erle = 0, erle_after = 0, floor = 0, gain = 0, seg = 0, us = 0;
    int n = 0, floor_n = 0;
  };
  std::map<std::pair<std::string, std::string>, Sum> sums;
  std::vector<std::pair<std::string, std::string>> order;
  for (const Row& r : rows) {
    const auto k = std::make_pair(key(r), r.backend);
    if (!sums.contains(k)) order.push_back(k);
    Sum& s = sums[k];
    s.erle += r.scores.erle_db;
    s.erle_after += r.scores.erle_after_double_talk_db;
    if (!std::isnan(r.scores.echo_over_floor_db)) {
      s.floor += r.scores.echo_over_floor_db;
      ++s.floor_n;
    }
    s.gain += r.scores.near_gain_db;
    s.seg += r.scores.double_talk_seg_snr_db;
    s.us += r.us_per_frame;
    ++s.n;
  }
  std::printf("\n### %s\n\n| %s | canceller | cases | ERLE dB | ERLE after DT dB | echo over floor dB "
              "| DT near-end gain dB | DT segSNR dB | µs / 10 ms |\n|---|---|---|---|---|---|---|---|---|\n",
              title.c_str(), key_name.c_str());
  for (const auto& k : order) {
    const Sum& s = sums[k];
    const double n = s.n;
    char floor[32] = "n/a";
    if (s.floor_n) std::snprintf(floor, sizeof floor, "%.1f", s.floor / s.floor_n);
    std::printf("| %s | %s | %d | %.1f | %.1f | %s | %.1f | %.1f | %.0f |\n", k.first.c_str(),
                k.second.c_str(), s.n, s.erle / n, s.erle_after / n, floor, s.gain / n, s.seg / n, s.us / n);
  }
}

std::string snr_name(const Row& r) {
  return std::isinf(r.spec.snr_db) ? "none" : std::to_string(int(r.spec.snr_db)) + " dB";
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Echo canceller lab: synthetic echo corpus, ERLE and double-talk scores"};
  app.add_option("--work-dir", o.work_dir, "Where espeak-ng sentences are cached");
  app.add_option("--backends", o.backends, "Cancellers to run")
      ->check(CLI::IsMember({"none", "speex", "webrtc", "speex+ns", "webrtc+ns", "speex-band", "webrtc-band"}));
  app.add_flag("--quick", o.quick, "A smaller grid (one RT60, two noise levels)");
  app.add_option("--seed", o.seed, "Corpus seed");
  app.add_option("--only", o.only, "Run only the case with this name (e.g. d100_rt4_10dB)");
  app.add_option("--csv", o.csv, "Write every row to this CSV file");
  app.add_option("--wav-dir", o.wav_dir, "Write far, capture and each output as WAV files here");
  app.add_option("--webrtc-suppression", o.webrtc_suppression, "WebRTC residual suppression")
      ->check(CLI::IsMember({"low", "moderate", "high"}));
  app.add_flag("--speex-no-align", o.speex_no_align, "Feed speexdsp the far end without delay alignment");
  app.add_option("--speex-tail-ms", o.speex_tail_ms, "speexdsp filter length")->check(CLI::Range(10, 4000));
  CLI11_PARSE(app, argc, argv);

  try {
    SpeechBank bank(std::filesystem::path(o.work_dir) / "speech");
    std::vector<Row> rows;
    for (const EchoCaseSpec& spec : corpus_grid(o.quick, o.seed)) {
      if (!o.only.empty() && spec.name() != o.only) continue;
      const EchoCase c = build_case(spec, bank);
      std::vector<std::vector<Sample>> outs(o.backends.size());
      std::vector<std::future<double>> runs;
      for (size_t b = 0; b < o.backends.size(); ++b)
        runs.push_back(std::async(std::launch::async, run_backend, std::cref(c), std::cref(o.backends[b]),
                                  std::cref(o), std::ref(outs[b])));
      for (size_t b = 0; b < runs.size(); ++b) {
        const double us = runs[b].get();
        rows.push_back({spec, o.backends[b], score(c, outs[b]), us});  // scored on this thread: fftw
        const EchoScores& s = rows.back().scores;
        std::fprintf(stderr, "%-16s %-7s ERLE %5.1f / %5.1f  floor %5.1f  near %5.1f  segSNR %5.1f  lag %4.1f ms\n",
                     spec.name().c_str(), o.backends[b].c_str(), s.erle_db, s.erle_after_double_talk_db,
                     s.echo_over_floor_db, s.near_gain_db, s.double_talk_seg_snr_db, s.latency_ms);
        if (!o.wav_dir.empty()) write_wav(o.wav_dir, spec.name() + "_" + o.backends[b], outs[b]);
      }
      if (!o.wav_dir.empty()) {
        write_wav(o.wav_dir, spec.name() + "_far", c.far);
        write_wav(o.wav_dir, spec.name() + "_capture", c.capture);
      }
    }
    if (rows.empty()) {
      std::fprintf(stderr, "no case matched\n");
      return 1;
    }
    print_table(rows, "All cases", "corpus", [](const Row&) { return std::string("all"); });
    print_table(rows, "By echo delay", "delay", [](const Row& r) { return std::to_string(r.spec.delay_ms) + " ms"; });
    print_table(rows, "By RT60", "RT60", [](const Row& r) {
      char b[16];
      std::snprintf(b, sizeof b, "%.1f s", r.spec.rt60_s);
      return std::string(b);
    });
    print_table(rows, "By near-end noise", "SNR", snr_name);
    if (!o.csv.empty()) {
      std::ofstream csv(o.csv);
      csv << "case,delay_ms,rt60_s,snr_db,canceller,erle_db,erle_after_dt_db,echo_over_floor_db,"
             "dt_near_gain_db,dt_seg_snr_db,latency_ms,us_per_frame\n";
      for (const Row& r : rows)
        csv << r.spec.name() << ',' << r.spec.delay_ms << ',' << r.spec.rt60_s << ',' << r.spec.snr_db << ','
            << r.backend << ',' << r.scores.erle_db << ',' << r.scores.erle_after_double_talk_db << ','
            << r.scores.echo_over_floor_db << ',' << r.scores.near_gain_db << ','
            << r.scores.double_talk_seg_snr_db << ',' << r.scores.latency_ms << ',' << r.us_per_frame << '\n';
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "koe-echo-lab: %s\n", e.what());
    return 1;
  }
  return 0;
}
