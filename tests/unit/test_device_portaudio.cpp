// The real PortAudio path. Device choice is tested as a pure function; the rest
// runs against a private PipeWire daemon this test starts (pipewire_session.hpp):
// its null sink gives PortAudio (through ALSA's pipewire plugin) real, clocked
// 48 kHz callbacks, and capture returns the sink's monitor, i.e. our own
// playback. PortAudio work happens in forked children whose environment points
// at that daemon (PortAudioDevice's audio host is this binary started again).
// Only processes this test started are ever killed.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <new>
#include <numbers>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "audio/device_portaudio.hpp"
#include "audio/open_audio_device.hpp"
#include "audio/portaudio_library.hpp"
#include "audio/portaudio_streams.hpp"
#include "audio/realtime_scope.hpp"
#include "tests/unit/forked_child.hpp"
#include "tests/unit/pipewire_session.hpp"
#include "tests/unit/realtime_allocation_hook.hpp"

namespace koe {
namespace {

using namespace koe::test;

int64_t ms_between(TimePoint a, TimePoint b) {
  return std::chrono::duration_cast<milliseconds>(b - a).count();
}

// ---- Device choice (pure) ----

std::vector<AudioDeviceInfo> sample_devices() {
  return {
      {0, "HDA Intel PCH: ALC3246 Analog (hw:0,0)", "ALSA", 2, 2, 44100, false, false},
      {1, "USB Headset: Audio (hw:1,0)", "ALSA", 1, 2, 48000, false, false},
      {2, "HDMI 0 (hw:0,3)", "ALSA", 0, 8, 48000, false, false},
      {3, "pipewire", "ALSA", 64, 64, 44100, false, false},
      {4, "default", "ALSA", 64, 64, 44100, true, true},
  };
}

TEST(ChooseDevice, DefaultExactIndexAndSubstring) {
  const auto devices = sample_devices();
  EXPECT_EQ(choose_device(devices, "", Direction::kInput)->index, 4);
  EXPECT_EQ(choose_device(devices, "default", Direction::kOutput)->index, 4);
  EXPECT_EQ(choose_device(devices, "1", Direction::kInput)->index, 1);
  EXPECT_EQ(choose_device(devices, "pipewire", Direction::kInput)->index, 3);
  EXPECT_EQ(choose_device(devices, "usb headset", Direction::kOutput)->index, 1);
  EXPECT_EQ(choose_device(devices, "HDMI", Direction::kOutput)->index, 2);
}

TEST(ChooseDevice, OnlyDevicesWithChannelsInThatDirectionQualify) {
  const auto devices = sample_devices();
  EXPECT_FALSE(choose_device(devices, "HDMI", Direction::kInput));
  EXPECT_FALSE(choose_device(devices, "2", Direction::kInput));
  EXPECT_FALSE(choose_device(devices, "99", Direction::kOutput));
  EXPECT_FALSE(choose_device(devices, "no such card", Direction::kOutput));
  EXPECT_FALSE(choose_device({}, "", Direction::kOutput));
}

TEST(RealtimeAllocationHook, CountsOnlyInsideARealtimeScope) {
  const uint64_t before = g_realtime_allocations.load();
  auto outside = std::make_unique<int>(1);
  EXPECT_EQ(g_realtime_allocations.load(), before);
  {
    RealtimeScope realtime;
    auto inside = std::make_unique<int>(2);
  }
  EXPECT_EQ(g_realtime_allocations.load(), before + 1) << "the instrument must see allocations";
}

// PortAudioStreams running in this process on a device's rings: the callbacks
// then run here, where the allocation hook can watch them.
class InProcessDevice final : public AudioDevice {
 public:
  bool start() override {
    library_.emplace();
    auto opened = PortAudioStreams::open(*library_, rings(), "", "");
    if (!opened) {
      error_ = opened.error();
      return false;
    }
    streams_ = std::move(*opened);
    return true;
  }
  void stop() override {
    streams_.reset();
    library_.reset();
  }
  AudioDeviceStatus status() const override {
    AudioDeviceStatus s = counters();
    s.running = streams_ && streams_->fault().empty();
    s.error = error_;
    s.input_name = streams_ ? streams_->input_name() : "";
    return s;
  }

 private:
  std::lock_guard<std::mutex> lock_{portaudio_mutex()};
  std::optional<PortAudioLibrary> library_;
  std::unique_ptr<PortAudioStreams> streams_;
  std::string error_;
};

// Feeds a continuous 440 Hz sine to `device` and drains its capture; measures
// how much flowed and how much of the captured energy is that sine (Goertzel).
class SineLoop {
 public:
  explicit SineLoop(AudioDevice& device) : device_(device) {}

  // One worker pass; captured samples are analysed once `analyse` is true.
  size_t pump(bool analyse) {
    while (device_.playback_writable() >= chunk_.size()) {
      for (auto& s : chunk_) {
        s = static_cast<Sample>(std::lround(8000 * std::sin(phase_)));
        phase_ = std::fmod(phase_ + 2 * std::numbers::pi * 440 / kSampleRate, 2 * std::numbers::pi);
      }
      written_ += device_.write_playback(chunk_);
    }
    const size_t got = device_.read_capture(capture_);
    captured_ += got;
    if (analyse) {
      for (size_t i = 0; i < got; ++i) {
        const double x = capture_[i];
        const double s = x + coeff_ * s1_ - s2_;
        s2_ = s1_;
        s1_ = s;
        energy_ += x * x;
        block_energy_ += x * x;
        ++analysed_;
        if (++in_block_ == kBlock) {  // a whole number of 440 Hz periods
          tone_energy_ += 2 * (s1_ * s1_ + s2_ * s2_ - coeff_ * s1_ * s2_) / kBlock;
          blocks_energy_ += block_energy_;
          s1_ = s2_ = block_energy_ = 0;
          in_block_ = 0;
        }
      }
    }
    return got;
  }

  uint64_t captured() const { return captured_; }
  uint64_t played() const { return written_ - (kRingSamples - device_.playback_writable()); }
  double rms() const { return analysed_ ? std::sqrt(energy_ / double(analysed_)) : 0; }
  // Share of the analysed energy at 440 Hz (1 for a pure tone).
  double tone_fraction() const {
    return blocks_energy_ > 0 ? tone_energy_ / blocks_energy_ : 0;
  }

 private:
  AudioDevice& device_;
  std::vector<Sample> chunk_ = std::vector<Sample>(480);
  std::vector<Sample> capture_ = std::vector<Sample>(kRingSamples);
  double phase_ = 0;
  uint64_t written_ = 0;
  uint64_t captured_ = 0;
  const double coeff_ = 2 * std::cos(2 * std::numbers::pi * 440 / kSampleRate);
  // Goertzel power per 100 ms block, summed: a glitch spoils one block only.
  static constexpr int kBlock = kSampleRate / 10;
  int in_block_ = 0;
  double s1_ = 0, s2_ = 0, energy_ = 0;
  double block_energy_ = 0, blocks_energy_ = 0, tone_energy_ = 0;
  uint64_t analysed_ = 0;
};

class PortAudioUnderPipeWire : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new SoundServer;
    start_error_ = new std::string(server_->start());
  }
  static void TearDownTestSuite() {
    delete server_;
    delete start_error_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_EQ(*start_error_, "")
        << "could not start the private PipeWire daemon this test needs";
  }

  static SoundServer* server_;
  static std::string* start_error_;
};
SoundServer* PortAudioUnderPipeWire::server_ = nullptr;
std::string* PortAudioUnderPipeWire::start_error_ = nullptr;

TEST_F(PortAudioUnderPipeWire, ListsThePipeWireDevicesWithoutStderrNoise) {
  const auto outcome = run_child(server_->vars(), [](const Report& report) {
    auto devices = list_audio_devices();
    report("listed", devices ? 1 : 0);
    if (!devices) return;
    report("count", static_cast<int64_t>(devices->size()));
    for (const auto& d : *devices) {
      if (d.default_input) report("default_input", d.name);
      if (d.default_output) report("default_output", d.name);
    }
  }, seconds(60));
  ASSERT_TRUE(outcome.exited_cleanly) << outcome.failure;
  EXPECT_EQ(number(outcome, "listed"), 1);
  EXPECT_GE(number(outcome, "count"), 1);
  EXPECT_TRUE(outcome.values.count("default_input"));
  EXPECT_TRUE(outcome.values.count("default_output"));
  EXPECT_EQ(number(outcome, "stderr_bytes"), 0) << "ALSA/JACK noise reached stderr";
}

// Plays a sine through `device` for 3 s after 0.5 s of settling and reports
// the rates, the loopback and the callbacks' allocations.
void measure_loopback(AudioDevice& device, const Report& report) {
  const bool started = device.start();
  report("started", started ? 1 : 0);
  report("error", device.status().error);
  if (!started) return;
  SineLoop loop(device);
  const TimePoint t0 = now();
  while (now() < t0 + milliseconds(500)) {
    loop.pump(false);
    std::this_thread::sleep_for(milliseconds(5));
  }
  const uint64_t allocations_before = g_realtime_allocations.load();
  const uint64_t captured0 = loop.captured();
  const uint64_t played0 = loop.played();
  const TimePoint t1 = now();
  while (now() < t1 + seconds(3)) {
    loop.pump(true);
    std::this_thread::sleep_for(milliseconds(5));
  }
  const auto status = device.status();
  report("elapsed_ms", ms_between(t1, now()));
  report("captured", static_cast<int64_t>(loop.captured() - captured0));
  report("played", static_cast<int64_t>(loop.played() - played0));
  report("rms", std::lround(loop.rms()));
  report("tone_permille", std::lround(1000 * loop.tone_fraction()));
  report("rt_allocations", static_cast<int64_t>(g_realtime_allocations.load() - allocations_before));
  report("input_name", status.input_name);
  report("running", status.running ? 1 : 0);
  report("underruns", static_cast<int64_t>(status.underruns));
  device.stop();
}

void expect_paced_loopback(const ChildOutcome& outcome, const char* what) {
  ASSERT_TRUE(outcome.exited_cleanly) << outcome.failure;
  ASSERT_EQ(number(outcome, "started"), 1) << outcome.values.at("error");
  const double seconds_measured = double(number(outcome, "elapsed_ms")) / 1000;
  const double capture_rate = double(number(outcome, "captured")) / seconds_measured;
  const double playback_rate = double(number(outcome, "played")) / seconds_measured;
  std::cout << what << ": capture " << capture_rate << " samples/s, playback " << playback_rate
            << " samples/s, loopback rms " << number(outcome, "rms") << ", 440 Hz share "
            << number(outcome, "tone_permille") / 10.0 << " %, underruns "
            << number(outcome, "underruns") << "\n";
  // Paced like a clock, not thousands of times faster: generous bounds (0.5x-2x).
  EXPECT_GT(capture_rate, 0.5 * kSampleRate);
  EXPECT_LT(capture_rate, 2.0 * kSampleRate);
  EXPECT_GT(playback_rate, 0.5 * kSampleRate);
  EXPECT_LT(playback_rate, 2.0 * kSampleRate);
  EXPECT_EQ(number(outcome, "running"), 1);
  // The null sink's monitor hands our playback back as capture.
  EXPECT_GT(number(outcome, "rms"), 1000);
  EXPECT_GT(number(outcome, "tone_permille"), 800);
  EXPECT_EQ(number(outcome, "stderr_bytes"), 0) << "ALSA/JACK noise reached stderr";
}

TEST_F(PortAudioUnderPipeWire, StreamCallbacksArePacedLoopBackAndNeverAllocate) {
  const auto outcome = run_child(server_->vars(), [](const Report& report) {
    InProcessDevice device;
    measure_loopback(device, report);
  }, seconds(60));
  expect_paced_loopback(outcome, "PortAudio streams in process");
  EXPECT_EQ(number(outcome, "rt_allocations"), 0) << "a callback allocated";
}

TEST_F(PortAudioUnderPipeWire, DeviceThroughItsAudioHostIsPacedAndLoopsBack) {
  const auto outcome = run_child(server_->vars(), [](const Report& report) {
    PortAudioDevice device;
    measure_loopback(device, report);
  }, seconds(60));
  expect_paced_loopback(outcome, "PortAudioDevice via audio host");
}

TEST_F(PortAudioUnderPipeWire, RecoversByItselfWhenTheSoundServerRestarts) {
  std::string restart_error;
  TimePoint server_killed{};
  TimePoint server_back{};
  auto on_line = [&](const std::string& key, const std::string&) {
    if (key != "streaming") return;
    server_killed = now();
    restart_error = server_->restart_pipewire();
    server_back = now();
  };
  const auto outcome = run_child(server_->vars(), [](const Report& report) {
    PortAudioDevice device;
    if (!device.start()) {
      report("error", device.status().error);
      return;
    }
    SineLoop loop(device);
    const TimePoint t0 = now();
    while (loop.captured() < kSampleRate / 2 && now() < t0 + seconds(10)) {
      loop.pump(false);
      std::this_thread::sleep_for(milliseconds(5));
    }
    report("streaming", 1);
    // The capture flow stops while the server is down; it must come back by
    // itself through a restarted audio host.
    const TimePoint give_up = now() + seconds(40);
    while (now() < give_up) {
      const bool got = loop.pump(false) > 0;
      if (got && device.status().restarts >= 1) {
        report("resumed_at_us", now().time_since_epoch().count());
        break;
      }
      std::this_thread::sleep_for(milliseconds(5));
    }
    const uint64_t before = loop.captured();
    const TimePoint t1 = now();
    while (now() < t1 + seconds(1)) {
      loop.pump(false);
      std::this_thread::sleep_for(milliseconds(5));
    }
    const auto status = device.status();
    report("captured_after", static_cast<int64_t>(loop.captured() - before));
    report("restarts", static_cast<int64_t>(status.restarts));
    report("running", status.running ? 1 : 0);
    report("error", status.error);
    device.stop();
  }, seconds(90), on_line);
  ASSERT_EQ(restart_error, "") << "could not restart the PipeWire daemons";
  ASSERT_TRUE(outcome.exited_cleanly) << outcome.failure;
  ASSERT_TRUE(outcome.values.count("resumed_at_us"))
      << "capture never resumed; device error: " << outcome.values.at("error");
  const TimePoint resumed{Duration(number(outcome, "resumed_at_us"))};
  std::cout << "PortAudio recovery: capture resumed " << ms_between(server_killed, resumed)
            << " ms after the sound server was killed, " << ms_between(server_back, resumed)
            << " ms after its restart was seen complete\n";
  EXPECT_GE(number(outcome, "restarts"), 1);
  EXPECT_EQ(number(outcome, "running"), 1);
  EXPECT_EQ(outcome.values.at("error"), "");
  EXPECT_GT(number(outcome, "captured_after"), kSampleRate / 2) << "the stream is flowing again";
  // The requirement is recovery within 2 s of the device coming back; timing
  // here is noisy, so the assertion is generous and the figure above is what
  // to watch.
  EXPECT_LT(ms_between(server_back, resumed), 10000);
}

// The audio host this process started (PortAudioDevice's child), or -1.
pid_t find_audio_host() {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream cmdline(entry.path() / "cmdline");
    std::string argv0;
    std::getline(cmdline, argv0, '\0');
    std::ifstream stat_file(entry.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
    const size_t after_comm = stat.rfind(')');
    if (argv0 != "koe-audio-host" || after_comm == std::string::npos) continue;
    std::istringstream fields(stat.substr(after_comm + 1));
    char state = 0;
    pid_t parent = -1;
    fields >> state >> parent;
    if (parent == getpid()) return static_cast<pid_t>(std::stol(name));
  }
  return -1;
}

// A PortAudio thread that hangs (as PortAudio 19.6 does on some device losses)
// is simulated by freezing the whole audio host with SIGSTOP: the supervisor
// must notice the silence, kill that host and start another.
TEST_F(PortAudioUnderPipeWire, ReplacesAnAudioHostThatHangs) {
  const auto outcome = run_child(server_->vars(), [](const Report& report) {
    PortAudioDevice device;
    if (!device.start()) {
      report("error", device.status().error);
      return;
    }
    SineLoop loop(device);
    const TimePoint t0 = now();
    while (loop.captured() < kSampleRate / 4 && now() < t0 + seconds(10)) {
      loop.pump(false);
      std::this_thread::sleep_for(milliseconds(5));
    }
    const pid_t frozen = find_audio_host();
    report("frozen_host", frozen);
    if (frozen <= 0 || kill(frozen, SIGSTOP) != 0) return;
    const TimePoint frozen_at = now();
    const TimePoint give_up = frozen_at + seconds(30);
    while (now() < give_up) {
      const bool got = loop.pump(false) > 0;
      if (got && device.status().restarts >= 1) {
        report("resumed_after_ms", ms_between(frozen_at, now()));
        break;
      }
      std::this_thread::sleep_for(milliseconds(5));
    }
    const pid_t replacement = find_audio_host();
    report("replacement_host", replacement);
    report("frozen_host_gone", kill(frozen, 0) != 0 ? 1 : 0);
    report("error", device.status().error);
    device.stop();
    report("host_after_stop", find_audio_host());
  }, seconds(60));
  ASSERT_TRUE(outcome.exited_cleanly) << outcome.failure;
  ASSERT_GT(number(outcome, "frozen_host"), 0) << "no audio host process found";
  ASSERT_GE(number(outcome, "resumed_after_ms"), 0) << "capture never resumed: "
                                                    << outcome.values.at("error");
  std::cout << "hung audio host replaced; capture resumed " << number(outcome, "resumed_after_ms")
            << " ms after the host froze\n";
  EXPECT_GT(number(outcome, "replacement_host"), 0);
  EXPECT_NE(number(outcome, "replacement_host"), number(outcome, "frozen_host"));
  EXPECT_EQ(number(outcome, "frozen_host_gone"), 1) << "the hung host was not reaped";
  EXPECT_EQ(number(outcome, "host_after_stop"), -1) << "stop() left an audio host behind";
  // Stall detection (500 ms) plus a fresh host: well inside the 2 s goal,
  // asserted generously because this machine's timing is noisy.
  EXPECT_LT(number(outcome, "resumed_after_ms"), 10000);
}

// Not under PipeWire: a runtime directory with no sound server in it is what
// a server or CI machine looks like to PortAudio.
TEST(PortAudioWithoutDevices, FallsBackToASilentNullDeviceWithAClearMessage) {
  char tmpl[] = "/tmp/koe_nosound_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const Vars no_server = {{"XDG_RUNTIME_DIR", tmpl}, {"PIPEWIRE_RUNTIME_DIR", tmpl},
                          {"PULSE_SERVER", "unix:/nonexistent"}, {"JACK_NO_START_SERVER", "1"}};
  const auto outcome = run_child(no_server, [](const Report& report) {
    PortAudioDevice direct;
    report("direct_started", direct.start() ? 1 : 0);
    report("direct_error", direct.status().error);
    auto device = open_audio_device({});
    report("opened", device ? 1 : 0);
    if (!device) return;
    const auto status = (*device)->status();
    report("running", status.running ? 1 : 0);
    report("error", status.error);
    std::vector<Sample> buffer(960);
    const TimePoint give_up = now() + seconds(10);
    size_t got = 0;
    while (got < 4800 && now() < give_up) {
      got += (*device)->read_capture(buffer);
      std::this_thread::sleep_for(milliseconds(5));
    }
    report("silence_samples", static_cast<int64_t>(got));
  }, seconds(60));
  std::filesystem::remove_all(tmpl);
  ASSERT_TRUE(outcome.exited_cleanly) << outcome.failure;
  EXPECT_EQ(number(outcome, "direct_started"), 0);
  EXPECT_EQ(outcome.values.at("direct_error"), "PortAudio found no audio devices");
  EXPECT_EQ(number(outcome, "opened"), 1);
  EXPECT_EQ(number(outcome, "running"), 1);
  EXPECT_EQ(outcome.values.at("error"),
            "no audio device: PortAudio found no audio devices; using silence");
  EXPECT_GE(number(outcome, "silence_samples"), 4800);
  EXPECT_EQ(number(outcome, "stderr_bytes"), 0) << "ALSA/JACK noise reached stderr";
}

}  // namespace
}  // namespace koe
