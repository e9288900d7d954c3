// koe-loss-lab: WAV -> (voice processing) -> Opus -> seeded loss/jitter -> jitter buffer
// -> decoder -> WAV, scored against the input. One run, or --matrix for the loss table in
// docs/audio-quality.md. Single-threaded command-line tool.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "audio/wav_file.hpp"
#include "tests/sim/loss_lab.hpp"
#include "tests/sim/speech_synth.hpp"

namespace {

using koe::sim::Repair;
using std::chrono::milliseconds;

struct Options {
  std::string in, out, json;
  double synth_seconds = 20;
  double loss_percent = 0, mean_burst = 1;
  int latency_ms = 40, jitter_ms = 10, jitter_sd_ms = 5;
  std::string repair = "fec+red";
  int frame_ms = 20, complexity = 5;
  int bitrate = 32000, budget = 64000;
  uint64_t seed = 1;
  double skew_ppm = 0;
  bool matrix = false;
  bool voice_processing = false;
};

Repair parse_repair(const std::string& name) {
  if (name == "none") return Repair::kNone;
  if (name == "fec") return Repair::kFec;
  return Repair::kFecRedundancy;
}

koe::sim::LossLabConfig lab_config(const Options& o, double loss_percent, double mean_burst, Repair repair) {
  koe::sim::LossLabConfig c;
  c.seed = o.seed;
  c.link = koe::sim::lossy_link(loss_percent / 100, mean_burst, milliseconds(o.latency_ms),
                                milliseconds(o.jitter_ms), milliseconds(o.jitter_sd_ms));
  c.repair = repair;
  c.frame = o.frame_ms == 10 ? koe::FrameLength::k10ms : koe::FrameLength::k20ms;
  c.complexity = o.complexity;
  c.rate.preferred_bitrate_bps = o.bitrate;
  c.rate.max_total_bps = o.budget;
  c.skew_ppm = o.skew_ppm;
  c.voice_processing = o.voice_processing;
  return c;
}

nlohmann::json to_json(const koe::sim::LossLabResult& r, double loss_percent, double mean_burst, Repair repair) {
  const auto& j = r.jitter;
  const double frames = double(j.normal + j.concealed + j.fec_recovered + j.red_recovered + j.comfort_noise);
  return {{"loss_percent", loss_percent},
          {"mean_burst", mean_burst},
          {"repair", std::string(koe::sim::to_string(repair))},
          {"lsd_db", r.quality.log_spectral_distance_db},
          {"segsnr_db", r.quality.segmental_snr_db},
          {"frames_scored", r.quality.frames_scored},
          {"delay_ms", r.quality.delay_samples / 48.0},
          {"datagrams_sent", r.datagrams_sent},
          {"datagrams_lost", r.datagrams_lost},
          {"send_kbps", r.send_kbps},
          {"concealed_percent", frames > 0 ? 100.0 * double(j.concealed) / frames : 0.0},
          {"fec_recovered", j.fec_recovered},
          {"red_recovered", j.red_recovered},
          {"late", j.late},
          {"stretched_ms", double(j.samples_removed + j.samples_inserted) / 48.0},
          {"buffer_resets", j.resets},
          {"final_bitrate_bps", r.final_settings.opus.bitrate_bps},
          {"final_red_depth", r.final_settings.red_depth},
          {"final_fec", r.final_settings.opus.fec}};
}

void print_row(const nlohmann::json& r) {
  std::printf("loss %4.1f%% burst %.1f %-8s  LSD %5.2f dB  segSNR %6.2f dB  concealed %5.2f%%  "
              "fec %4d red %4d  %5.1f kbps  delay %5.1f ms  stretched %5.0f ms\n",
              r["loss_percent"].get<double>(), r["mean_burst"].get<double>(),
              r["repair"].get<std::string>().c_str(), r["lsd_db"].get<double>(), r["segsnr_db"].get<double>(),
              r["concealed_percent"].get<double>(), r["fec_recovered"].get<int>(), r["red_recovered"].get<int>(),
              r["send_kbps"].get<double>(), r["delay_ms"].get<double>(), r["stretched_ms"].get<double>());
}

// The table for docs: one row per loss pattern, LSD and segSNR per repair mode.
void print_markdown(const nlohmann::json& runs) {
  std::printf("\n| loss | pattern | none: LSD / segSNR / concealed | FEC | FEC+RED | FEC+RED kbps |\n");
  std::printf("|---|---|---|---|---|---|\n");
  for (size_t i = 0; i + 2 < runs.size(); i += 3) {
    std::printf("| %.0f%% | %s |", runs[i]["loss_percent"].get<double>(),
                runs[i]["mean_burst"].get<double>() > 1 ? "bursty" : "random");
    for (size_t k = 0; k < 3; ++k)
      std::printf(" %.2f dB / %.1f dB / %.1f%% |", runs[i + k]["lsd_db"].get<double>(),
                  runs[i + k]["segsnr_db"].get<double>(), runs[i + k]["concealed_percent"].get<double>());
    std::printf(" %.1f |\n", runs[i + 2]["send_kbps"].get<double>());
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"koe-loss-lab: speech through Opus, a lossy link and the jitter buffer, scored"};
  app.add_option("--in", o.in, "input WAV (any common rate; default: synthetic speech)");
  app.add_option("--synth", o.synth_seconds, "seconds of synthetic speech when --in is not given");
  app.add_option("--out", o.out, "write the received audio to this WAV (single run)");
  app.add_option("--json", o.json, "write the results as JSON to this file");
  app.add_option("--loss", o.loss_percent, "average loss, percent")->check(CLI::Range(0.0, 90.0));
  app.add_option("--burst", o.mean_burst, "mean burst length in datagrams (1: random loss)")
      ->check(CLI::Range(1.0, 100.0));
  app.add_option("--latency-ms", o.latency_ms, "one-way base latency");
  app.add_option("--jitter-ms", o.jitter_ms, "mean extra delay (normal distribution)");
  app.add_option("--jitter-sd-ms", o.jitter_sd_ms, "its standard deviation");
  app.add_option("--repair", o.repair, "none | fec | fec+red")
      ->check(CLI::IsMember({"none", "fec", "fec+red"}));
  app.add_option("--frame-ms", o.frame_ms, "10 or 20")->check(CLI::IsMember({10, 20}));
  app.add_option("--complexity", o.complexity, "Opus complexity 0-10")->check(CLI::Range(0, 10));
  app.add_option("--bitrate", o.bitrate, "preferred Opus bitrate (bit/s)")->check(CLI::Range(16000, 40000));
  app.add_option("--budget", o.budget, "bit/s for Opus with its redundant copies")->check(CLI::Range(16000, 200000));
  app.add_option("--seed", o.seed, "seed of the loss and jitter model");
  app.add_option("--skew-ppm", o.skew_ppm, "sender clock against the receiver's");
  app.add_flag("--voice-processing", o.voice_processing, "echo canceller, noise suppression, gain before Opus");
  app.add_flag("--matrix", o.matrix, "0/5/10/20% random and bursty loss x none/fec/fec+red");
  CLI11_PARSE(app, argc, argv);

  std::vector<koe::Sample> input;
  if (o.in.empty()) {
    input = koe::sim::synthesize_speech(o.synth_seconds, o.seed);
  } else {
    auto loaded = koe::load_wav_48k(o.in);
    if (!loaded) {
      std::cerr << "koe-loss-lab: " << loaded.error() << "\n";
      return 1;
    }
    input = std::move(*loaded);
  }

  nlohmann::json runs = nlohmann::json::array();
  if (o.matrix) {
    for (const double burst : {1.0, 3.0}) {
      for (const double loss : {0.0, 5.0, 10.0, 20.0}) {
        for (const Repair repair : {Repair::kNone, Repair::kFec, Repair::kFecRedundancy}) {
          const auto result = koe::sim::run_loss_lab(input, lab_config(o, loss, burst, repair));
          runs.push_back(to_json(result, loss, burst, repair));
          print_row(runs.back());
        }
      }
    }
    print_markdown(runs);
  } else {
    const Repair repair = parse_repair(o.repair);
    const auto result = koe::sim::run_loss_lab(input, lab_config(o, o.loss_percent, o.mean_burst, repair));
    runs.push_back(to_json(result, o.loss_percent, o.mean_burst, repair));
    print_row(runs.back());
    if (!o.out.empty()) {
      auto writer = koe::WavWriter::create(o.out, koe::kSampleRate);
      if (!writer || !writer->append(result.output)) {
        std::cerr << "koe-loss-lab: cannot write " << o.out << "\n";
        return 1;
      }
    }
  }
  if (!o.json.empty()) {
    std::ofstream(o.json) << runs.dump(2) << "\n";
  }
  return 0;
}
