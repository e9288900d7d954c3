// koe-engine-lab: the voice engine's own latency and CPU cost (docs/audio-quality.md).
// A click train plays as engine A's microphone, crosses an in-process loopback (no
// network) into engine B, whose speaker is recorded; each click is found again in the
// recording by cross-correlation. B's microphone plays synthetic speech back to A, so
// both directions of the call are busy. One lab thread drives both clocked WAV devices
// in real time, B's half a frame after A's (the average phase of two free-running
// sound cards), so the devices' timing is known exactly. With --talk-pattern the two
// sides hold a conversation instead (alternating turns, each over a quiet microphone's
// noise floor), the case the CPU goal is about: in a real call one side mostly listens.
// Command-line tool.
#include <CLI/CLI.hpp>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <optional>
#include <random>
#include <thread>

#include "audio/device_file.hpp"
#include "audio/paced_thread.hpp"
#include "audio/voice_engine.hpp"
#include "audio/wav_file.hpp"
#include "tests/sim/speech_synth.hpp"
#include "tests/unit/signal_alignment.hpp"
#include "tests/unit/voice_signals.hpp"

namespace {

using namespace koe;
using std::chrono::milliseconds;

struct Options {
  double seconds = 30;
  int frame_ms = 20;
  int click_interval_ms = 307;  // not a multiple of the frame: clicks fall at every phase
  bool no_processing = false;
  bool talk_pattern = false;
  uint64_t talk_seed = 1;
  int playout_lead_ms = -1;  // -1: the engine's default
  std::string out_dir = (std::filesystem::temp_directory_path() / "koe-engine-lab").string();
  std::string json;
};

constexpr size_t kClickSamples = kSampleRate / 100;  // 10 ms
constexpr double kMaxDelayMs = 300;

// Clicks a speech codec keeps the shape of: 10 ms chirps from 300 Hz to 1.5 kHz under a
// Hann window (a noise burst would come back as noise of the same colour, not the same
// waveform), every `interval`.
std::vector<Sample> click_train(size_t samples, size_t interval, std::vector<size_t>& starts) {
  std::vector<Sample> out(samples, 0);
  const double length = double(kClickSamples) / kSampleRate;
  for (size_t at = interval / 2; at + kClickSamples < samples; at += interval) {
    starts.push_back(at);
    for (size_t i = 0; i < kClickSamples; ++i) {
      const double t = double(i) / kSampleRate;
      const double hann = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * double(i) / double(kClickSamples - 1));
      const double phase = 2 * std::numbers::pi * (300 * t + 0.5 * (1500 - 300) / length * t * t);
      out[at + i] = static_cast<Sample>(16000 * hann * std::sin(phase));
    }
  }
  return out;
}

// A conversation: A and B take turns of 2-6 s; each turn starts up to 0.3 s before the
// other's ends (a little double talk) or up to 0.3 s after it (a pause). A starts.
struct Turn {
  size_t from, to;  // samples
  bool a;           // A talks (else B)
};

std::vector<Turn> conversation(size_t samples, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> length(2.0, 6.0), handover(-0.3, 0.3);
  std::vector<Turn> turns;
  double at = 0.5;
  for (bool a = true; at < double(samples) / kSampleRate; a = !a) {
    const double end = at + length(rng);
    turns.push_back({size_t(at * kSampleRate), std::min(samples, size_t(end * kSampleRate)), a});
    at = end + handover(rng);
  }
  return turns;
}

// `speech` inside one side's turns (10 ms ramps at their edges) over a quiet
// microphone's noise floor, white noise at about -66 dBFS.
std::vector<Sample> talker(const std::vector<Sample>& speech, const std::vector<Turn>& turns, bool a,
                           uint64_t noise_seed) {
  std::mt19937_64 rng(noise_seed);
  std::normal_distribution<double> noise(0, 16);
  std::vector<Sample> out(speech.size());
  for (auto& s : out) s = static_cast<Sample>(std::lround(noise(rng)));
  const size_t ramp = kSampleRate / 100;
  for (const Turn& turn : turns) {
    if (turn.a != a) continue;
    for (size_t i = turn.from; i < turn.to; ++i) {
      const double gain = std::min({1.0, double(i - turn.from) / ramp, double(turn.to - i) / ramp});
      out[i] = static_cast<Sample>(std::clamp(out[i] + std::lround(gain * speech[i]), -32768L, 32767L));
    }
  }
  return out;
}

// Seconds during which only A, only B, both or neither talk.
struct TalkShares {
  double a_only = 0, b_only = 0, both = 0, none = 0;
};

TalkShares talk_shares(const std::vector<Turn>& turns, size_t samples) {
  std::vector<uint8_t> who(samples, 0);
  for (const Turn& turn : turns)
    for (size_t i = turn.from; i < turn.to; ++i) who[i] |= turn.a ? 1 : 2;
  TalkShares s;
  for (const uint8_t w : who) (w == 0 ? s.none : w == 1 ? s.a_only : w == 2 ? s.b_only : s.both) += 1.0 / kSampleRate;
  return s;
}

bool write_wav(const std::string& path, const std::vector<Sample>& samples) {
  const Bytes bytes = encode_wav(samples, kSampleRate);
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return bool(out);
}

std::unique_ptr<ClockedWavDevice> open_device(const std::string& in, const std::string& out, FrameLength frame) {
  ClockedDeviceOptions options;
  options.input_path = in;
  options.output_path = out;
  options.frame = frame;
  options.own_thread = false;  // the lab's driver ticks it
  auto device = ClockedWavDevice::open(options);
  if (!device) {
    std::fprintf(stderr, "%s\n", device.error().c_str());
    std::exit(1);
  }
  return std::move(*device);
}

double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * double(v.size())))];
}

double ms(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Where the lab's sounds were found again in B's recording.
struct Findings {
  std::vector<double> delays, late_delays;  // ms; late: in the second half of the run
  std::vector<double> correlations;         // talk pattern: every block's
  size_t missed = 0;
};

// Each click against the recording, 0..kMaxDelayMs later.
Findings find_clicks(const std::vector<Sample>& train, const std::vector<size_t>& clicks,
                     const std::vector<Sample>& recording) {
  Findings f;
  const auto max_lag = static_cast<int64_t>(kMaxDelayMs * kSampleRate / 1000);
  const size_t window = 2 * kClickSamples;  // the click and as much silence around it
  for (const size_t at : clicks) {
    if (at + window + size_t(max_lag) > recording.size()) break;
    const test::Alignment found = test::align(train, recording, at - kClickSamples / 2, window, 0, max_lag, 4);
    if (found.correlation < 0.5) {
      ++f.missed;
      continue;
    }
    f.delays.push_back(double(found.lag) * 1000.0 / kSampleRate);
    if (at > train.size() / 2) f.late_delays.push_back(f.delays.back());
  }
  return f;
}

// A's speech in the recording, 200 ms at a time through each of A's turns (blocks
// quieter than -50 dBFS skipped): speech through noise suppression, gain and Opus keeps
// its waveform well enough to correlate.
Findings find_speech(const std::vector<Sample>& a_input, const std::vector<Turn>& turns,
                     const std::vector<Sample>& recording) {
  Findings f;
  const auto max_lag = static_cast<int64_t>(kMaxDelayMs * kSampleRate / 1000);
  for (const Turn& turn : turns) {
    if (!turn.a || turn.to + size_t(max_lag) > recording.size()) continue;
    for (const test::Alignment& found :
         test::align_blocks(a_input, recording, turn.from, turn.to, kSampleRate / 5, 0, max_lag)) {
      f.correlations.push_back(found.correlation);
      if (found.correlation < 0.5) {
        ++f.missed;
        continue;
      }
      f.delays.push_back(double(found.lag) * 1000.0 / kSampleRate);
      if (turn.from > a_input.size() / 2) f.late_delays.push_back(f.delays.back());
    }
  }
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"koe-engine-lab: latency and CPU of two voice engines joined in process"};
  app.add_option("--seconds", o.seconds, "length of the run")->check(CLI::Range(5.0, 600.0));
  app.add_option("--frame-ms", o.frame_ms, "10 or 20")->check(CLI::IsMember({10, 20}));
  app.add_option("--click-interval-ms", o.click_interval_ms, "time between clicks")->check(CLI::Range(100, 2000));
  app.add_option("--playout-lead-ms", o.playout_lead_ms, "VoiceEngineConfig::playout_lead")
      ->check(CLI::Range(0, 20));
  app.add_flag("--no-processing", o.no_processing, "echo canceller, noise suppression and gain off");
  app.add_flag("--talk-pattern", o.talk_pattern,
               "a conversation (A and B take turns) instead of clicks against continuous speech");
  app.add_option("--talk-seed", o.talk_seed, "seed of the conversation's turns");
  app.add_option("--out-dir", o.out_dir, "where the WAVs go");
  app.add_option("--json", o.json, "write the results as JSON to this file");
  CLI11_PARSE(app, argc, argv);

  const auto frame = static_cast<FrameLength>(o.frame_ms);
  const Duration period = frame_period(frame);
  std::filesystem::create_directories(o.out_dir);
  const std::string dir = o.out_dir + "/";
  const auto total = static_cast<size_t>(o.seconds * kSampleRate);
  std::vector<size_t> clicks;
  std::vector<Turn> turns;
  std::vector<Sample> a_input, b_input;
  if (o.talk_pattern) {
    turns = conversation(total, o.talk_seed);
    // Talkers at a normal level (about -24 dBFS while voiced), unlike the simulator's
    // speech, whose vowels lie 30 dB under its fricatives.
    a_input = talker(test::speech_like(total, 2000, 3), turns, true, 11);
    b_input = talker(test::speech_like(total, 2000, 4), turns, false, 12);
  } else {
    a_input = click_train(total, size_t(o.click_interval_ms) * kSampleRate / 1000, clicks);
    b_input = sim::synthesize_speech(o.seconds, 3);
  }
  if (!write_wav(dir + "a.wav", a_input) || !write_wav(dir + "b.wav", b_input)) {
    std::fprintf(stderr, "cannot write WAVs into %s\n", o.out_dir.c_str());
    return 1;
  }

  auto device_a = open_device(dir + "a.wav", "", frame);
  auto device_b = open_device(dir + "b.wav", dir + "received.wav", frame);
  ClockedWavDevice* a_ticks = device_a.get();
  ClockedWavDevice* b_ticks = device_b.get();
  VoiceEngineConfig config;
  config.frame = frame;
  if (o.no_processing) config.processing = {false, false, false, false};
  if (o.playout_lead_ms >= 0) config.playout_lead = milliseconds(o.playout_lead_ms);
  config.random_seed = 1;
  std::unique_ptr<VoiceEngine> b;
  VoiceEngine a(std::move(device_a), config, [&](uint64_t call, Bytes p) { b->deliver(call, p); });
  config.random_seed = 2;
  b = std::make_unique<VoiceEngine>(std::move(device_b), config, [&](uint64_t call, Bytes p) { a.deliver(call, p); });
  // Opened before the devices tick: both start from their first sample.
  a.open_call(1);
  b->open_call(1);
  if (!a.start() || !b->start()) {
    std::fprintf(stderr, "engines did not start\n");
    return 1;
  }

  const auto wall_start = std::chrono::steady_clock::now();
  const double cpu_start = process_cpu_seconds();
  {
    // Half-frame ticks: A on even ones, B on odd ones. Each device is told the exact
    // grid time, so a tick woken a little early or late never moves zero or two frames.
    uint64_t tick = 0;
    std::optional<TimePoint> origin;
    PacedThread driver(period / 2, [&](TimePoint now) {
      if (!origin) origin = now;
      const TimePoint grid = *origin + tick * (period / 2);
      (tick++ % 2 == 0 ? a_ticks : b_ticks)->tick(grid);
    });
    const uint64_t frames = static_cast<uint64_t>(o.seconds * 1000) / static_cast<uint64_t>(o.frame_ms);
    while (b->stats(1).frames_played < frames) std::this_thread::sleep_for(milliseconds(50));
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  const double process_cpu = process_cpu_seconds() - cpu_start;
  const VoiceEngineStats sa = a.engine_stats(), sb = b->engine_stats();
  const CallMediaStats received = b->stats(1);
  a.stop();
  b->stop();

  auto recording = load_wav_48k(dir + "received.wav");
  if (!recording) {
    std::fprintf(stderr, "%s\n", recording.error().c_str());
    return 1;
  }
  const Findings found = o.talk_pattern ? find_speech(a_input, turns, *recording) : find_clicks(a_input, clicks, *recording);
  const std::vector<double>& delays = found.delays;
  const std::vector<double>& late_delays = found.late_delays;
  // The devices' own buffering, known from the driver: A's capture block (a frame) and
  // B's tick, half a frame after A's.
  const double device_ms = ms(period) + ms(period) / 2;
  const double cpu_a = ms(sa.media_thread_cpu) / 1000 / wall, cpu_b = ms(sb.media_thread_cpu) / 1000 / wall;
  const TalkShares shares = o.talk_pattern ? talk_shares(turns, total) : TalkShares{};

  if (o.talk_pattern) {
    std::printf("frame %d ms, playout lead %.0f ms, voice processing %s, %.1f s of conversation: A alone %.1f s, "
                "B alone %.1f s, both %.1f s, neither %.1f s\n",
                o.frame_ms, ms(config.playout_lead), o.no_processing ? "off" : "on", wall, shares.a_only,
                shares.b_only, shares.both, shares.none);
    std::printf("A's speech in B's recording: %zu of %zu 200 ms blocks found, median correlation %.2f\n",
                delays.size(), delays.size() + found.missed, percentile(found.correlations, 0.5));
  } else {
    std::printf("frame %d ms, playout lead %.0f ms, voice processing %s, %.1f s, %zu clicks found, %zu missed\n",
                o.frame_ms, ms(config.playout_lead), o.no_processing ? "off" : "on", wall, delays.size(),
                found.missed);
  }
  std::printf("WAV-to-WAV delay: median %.1f ms (second half %.1f ms), p10 %.1f, p90 %.1f, max %.1f\n",
              percentile(delays, 0.5), percentile(late_delays, 0.5), percentile(delays, 0.1),
              percentile(delays, 0.9), percentile(delays, 1.0));
  std::printf("capture-to-playout including the devices' %.0f ms: median %.1f ms (second half %.1f ms)\n",
              device_ms, percentile(delays, 0.5) + device_ms, percentile(late_delays, 0.5) + device_ms);
  std::printf("B's jitter buffer at the end: %.1f ms buffered, target %.1f ms; concealed %lu, late %lu\n",
              received.jitter_buffer_ms, received.jitter_target_ms, (unsigned long)received.frames_concealed,
              (unsigned long)received.packets_late);
  std::printf("media thread CPU: A %.2f%%, B %.2f%% of a core (one call, both directions); process %.2f%%\n",
              100 * cpu_a, 100 * cpu_b, 100 * process_cpu / wall);
  std::printf("playback frames skipped: A %lu, B %lu; device underruns: A %lu, B %lu\n",
              (unsigned long)sa.playback_frames_skipped, (unsigned long)sb.playback_frames_skipped,
              (unsigned long)a.device_status().underruns, (unsigned long)b->device_status().underruns);

  if (!o.json.empty()) {
    nlohmann::ordered_json j;
    j["pattern"] = o.talk_pattern ? "talk" : "clicks";
    j["frame_ms"] = o.frame_ms;
    j["playout_lead_ms"] = ms(config.playout_lead);
    j["voice_processing"] = !o.no_processing;
    j["seconds"] = wall;
    if (o.talk_pattern) {
      j["a_alone_s"] = shares.a_only;
      j["b_alone_s"] = shares.b_only;
      j["both_s"] = shares.both;
      j["neither_s"] = shares.none;
      j["speech_blocks_found"] = delays.size();
      j["speech_blocks_missed"] = found.missed;
      j["speech_median_correlation"] = percentile(found.correlations, 0.5);
    } else {
      j["clicks_found"] = delays.size();
      j["clicks_missed"] = found.missed;
    }
    j["wav_delay_median_ms"] = percentile(delays, 0.5);
    j["wav_delay_second_half_median_ms"] = percentile(late_delays, 0.5);
    j["wav_delay_p90_ms"] = percentile(delays, 0.9);
    j["device_buffering_ms"] = device_ms;
    j["jitter_buffer_ms"] = received.jitter_buffer_ms;
    j["media_thread_core_fraction_a"] = cpu_a;
    j["media_thread_core_fraction_b"] = cpu_b;
    j["process_core_fraction"] = process_cpu / wall;
    std::ofstream(o.json) << j.dump(2) << "\n";
  }
  return delays.empty() ? 1 : 0;
}
