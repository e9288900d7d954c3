#include "audio/device_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numeric>
#include <thread>

#include "audio/device_null.hpp"
#include "audio/open_audio_device.hpp"
#include "audio/wav_file.hpp"

namespace koe {
namespace {

using std::chrono::milliseconds;
constexpr Duration kFrame = frame_period(kDefaultFrameLength);
constexpr size_t kFrameSamples = kDefaultFrameSamples;

// Sample i of the source is i - 20000: a recognisable, non-periodic pattern.
std::vector<Sample> pattern(size_t n) {
  std::vector<Sample> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<Sample>(static_cast<int>(i) - 20000);
  return out;
}

class ClockedDevice : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/koe_dev_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string write_wav(const std::string& name, const std::vector<Sample>& samples, int rate) {
    const Bytes bytes = encode_wav(samples, rate);
    std::ofstream(path(name), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return path(name);
  }

  WavAudio read_wav(const std::string& name) {
    std::ifstream in(path(name), std::ios::binary);
    const Bytes bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    auto wav = parse_wav(bytes);
    EXPECT_TRUE(wav) << wav.error();
    return wav ? *wav : WavAudio{};
  }

  // A device driven by virtual time, started with its first tick at t0_.
  std::unique_ptr<ClockedWavDevice> virtual_device(ClockedDeviceOptions options) {
    options.own_thread = false;
    auto device = ClockedWavDevice::open(options);
    EXPECT_TRUE(device) << device.error();
    if (!device) return nullptr;
    EXPECT_TRUE((*device)->start());
    EXPECT_EQ((*device)->next_tick(), TimePoint{});
    (*device)->tick(t0_);
    return std::move(*device);
  }

  std::vector<Sample> read_all(AudioDevice& device) {
    std::vector<Sample> out(device.capture_readable());
    out.resize(device.read_capture(out));
    return out;
  }

  std::filesystem::path dir_;
  const TimePoint t0_ = TimePoint{} + std::chrono::seconds(100);
};

TEST_F(ClockedDevice, MovesOneFramePerPeriodOfVirtualTime) {
  ClockedDeviceOptions options;
  options.input_path = write_wav("in.wav", pattern(48000), kSampleRate);
  auto device = virtual_device(options);
  ASSERT_TRUE(device);
  EXPECT_EQ(device->capture_readable(), 0u);
  EXPECT_EQ(device->next_tick(), t0_ + kFrame);

  device->tick(t0_ + kFrame - Duration(1));
  EXPECT_EQ(device->capture_readable(), 0u);
  device->tick(t0_ + kFrame);
  EXPECT_EQ(device->capture_readable(), kFrameSamples);
  device->tick(t0_ + 3 * kFrame + milliseconds(5));
  EXPECT_EQ(device->capture_readable(), 3 * kFrameSamples);
  EXPECT_EQ(device->next_tick(), t0_ + 4 * kFrame);
  EXPECT_EQ(read_all(*device), std::vector<Sample>(pattern(3 * kFrameSamples)));
}

TEST_F(ClockedDevice, TenMillisecondFrames) {
  ClockedDeviceOptions options;
  options.frame = FrameLength::k10ms;
  auto device = virtual_device(options);
  ASSERT_TRUE(device);
  device->tick(t0_ + milliseconds(100));
  EXPECT_EQ(device->capture_readable(), 10 * frame_samples(FrameLength::k10ms));
}

TEST_F(ClockedDevice, SourceLoopsAndIsResampledToFortyEightKilohertz) {
  ClockedDeviceOptions options;
  options.input_path = write_wav("in.wav", pattern(1000), kSampleRate);  // shorter than a frame
  auto device = virtual_device(options);
  ASSERT_TRUE(device);
  device->tick(t0_ + 2 * kFrame);
  const auto got = read_all(*device);
  ASSERT_EQ(got.size(), 2 * kFrameSamples);
  for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], pattern(1000)[i % 1000]) << i;

  ClockedDeviceOptions slow;  // 100 ms at 16 kHz loops as 100 ms at 48 kHz
  slow.input_path = write_wav("in16.wav", std::vector<Sample>(1600, 3000), 16000);
  auto resampled = virtual_device(slow);
  ASSERT_TRUE(resampled);
  resampled->tick(t0_ + 5 * kFrame);
  const auto looped = read_all(*resampled);
  ASSERT_EQ(looped.size(), 5 * kFrameSamples);
  EXPECT_NEAR(looped[2400], 3000, 30);
}

TEST_F(ClockedDevice, SinkRecordsWhatThePlaybackRingHeldAndPadsUnderrunsWithSilence) {
  ClockedDeviceOptions options;
  options.output_path = path("out.wav");
  auto device = virtual_device(options);
  ASSERT_TRUE(device);
  const auto played = pattern(kFrameSamples + 100);  // one frame and a bit
  ASSERT_EQ(device->write_playback(played), played.size());
  device->tick(t0_ + 3 * kFrame);
  device->stop();

  const WavAudio out = read_wav("out.wav");
  EXPECT_EQ(out.sample_rate, kSampleRate);
  ASSERT_EQ(out.samples.size(), 3 * kFrameSamples);
  EXPECT_TRUE(std::equal(played.begin(), played.end(), out.samples.begin()));
  EXPECT_TRUE(std::all_of(out.samples.begin() + static_cast<std::ptrdiff_t>(played.size()),
                          out.samples.end(), [](Sample s) { return s == 0; }));
  EXPECT_EQ(device->status().underruns, 2u);  // the second frame was short, the third empty
}

TEST_F(ClockedDevice, SinkAtAnotherRateHoldsTheWholeDuration) {
  ClockedDeviceOptions options;
  options.output_path = path("out16.wav");
  options.output_rate = 16000;
  auto device = virtual_device(options);
  ASSERT_TRUE(device);
  device->write_playback(std::vector<Sample>(10 * kFrameSamples, 5000));
  device->tick(t0_ + 10 * kFrame);
  device->stop();
  const WavAudio out = read_wav("out16.wav");
  EXPECT_EQ(out.sample_rate, 16000);
  EXPECT_NEAR(double(out.samples.size()), 3200.0, 40.0);  // 200 ms at 16 kHz, plus the filter tail
  EXPECT_NEAR(out.samples[1600], 5000, 50);
}

TEST_F(ClockedDevice, RestartFromBeginningRewindsTheSourceAndRestartsTheRecording) {
  ClockedDeviceOptions options;
  options.input_path = write_wav("in.wav", pattern(48000), kSampleRate);
  options.output_path = path("out.wav");
  auto device = virtual_device(options);
  ASSERT_TRUE(device);
  device->write_playback(std::vector<Sample>(5 * kFrameSamples, 111));
  device->tick(t0_ + 5 * kFrame);
  read_all(*device);

  device->restart_from_beginning();  // "the call connected"
  device->write_playback(std::vector<Sample>(2 * kFrameSamples, 222));
  device->tick(t0_ + 7 * kFrame);
  EXPECT_EQ(read_all(*device), pattern(2 * kFrameSamples));
  device->stop();
  EXPECT_EQ(read_wav("out.wav").samples, std::vector<Sample>(2 * kFrameSamples, 222));
}

TEST_F(ClockedDevice, ALongStallSkipsAheadInsteadOfReplayingEverything) {
  auto device = virtual_device({});
  ASSERT_TRUE(device);
  device->tick(t0_ + std::chrono::seconds(60));
  EXPECT_EQ(device->capture_readable(),
            std::min<size_t>(ClockedWavDevice::kMaxCatchUpFrames * kFrameSamples,
                             kRingSamples));
  EXPECT_GE(device->status().overruns, 1u);
  EXPECT_EQ(device->next_tick(), t0_ + std::chrono::seconds(60) + kFrame);
}

TEST_F(ClockedDevice, StoppedDeviceIgnoresTicks) {
  auto device = virtual_device({});
  ASSERT_TRUE(device);
  device->stop();
  EXPECT_EQ(device->next_tick(), kNever);
  device->tick(t0_ + std::chrono::seconds(1));
  EXPECT_EQ(device->capture_readable(), 0u);
  EXPECT_FALSE(device->status().running);
}

TEST_F(ClockedDevice, MalformedOrMissingFilesGiveAClearError) {
  std::ofstream(path("bad.wav")) << "RIFF....WAVEnonsense";
  ClockedDeviceOptions options;
  options.input_path = path("bad.wav");
  auto bad = ClockedWavDevice::open(options);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("bad.wav"), std::string::npos) << bad.error();

  options.input_path = write_wav("empty.wav", {}, kSampleRate);
  auto empty = ClockedWavDevice::open(options);
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().find("no samples"), std::string::npos) << empty.error();

  ClockedDeviceOptions out;
  out.output_path = path("missing/dir/out.wav");
  auto unwritable = ClockedWavDevice::open(out);
  ASSERT_FALSE(unwritable);
  EXPECT_NE(unwritable.error().find("missing/dir/out.wav"), std::string::npos);

  AudioDeviceConfig config;
  config.input_wav = path("bad.wav");
  auto via_factory = open_audio_device(config);
  ASSERT_FALSE(via_factory);
  EXPECT_NE(via_factory.error().find("bad.wav"), std::string::npos);
}

TEST_F(ClockedDevice, StatusNamesTheFiles) {
  ClockedDeviceOptions options;
  options.input_path = write_wav("in.wav", pattern(100), kSampleRate);
  auto device = virtual_device(options);
  ASSERT_TRUE(device);
  const auto s = device->status();
  EXPECT_TRUE(s.running);
  EXPECT_EQ(s.input_name, options.input_path);
  EXPECT_EQ(s.output_name, "discard");
  EXPECT_EQ(s.error, "");
}

// Waits (bounded) until `device` has captured `samples`, reading as it goes;
// returns the wall time it took.
Duration time_to_capture(AudioDevice& device, size_t samples) {
  const SteadyClock clock;
  const TimePoint start = clock.now();
  const TimePoint give_up = start + std::chrono::seconds(20);
  std::vector<Sample> buffer(4096);
  size_t got = 0;
  while (got < samples && clock.now() < give_up) {
    got += device.read_capture(buffer);
    std::this_thread::sleep_for(milliseconds(2));  // a worker's polling interval
  }
  EXPECT_GE(got, samples) << "the device stopped producing";
  return clock.now() - start;
}

TEST_F(ClockedDevice, OwnThreadPacesFramesInRealTime) {
  ClockedDeviceOptions options;
  options.input_path = write_wav("in.wav", pattern(48000), kSampleRate);
  auto opened = ClockedWavDevice::open(options);
  ASSERT_TRUE(opened) << opened.error();
  auto& device = **opened;
  ASSERT_TRUE(device.start());
  // One second of audio must take about one second: generous bounds, since
  // this machine is shared and noisy (0.5x to 2x real time).
  const Duration took = time_to_capture(device, kSampleRate);
  device.stop();
  EXPECT_GT(took, milliseconds(500));
  EXPECT_LT(took, milliseconds(2000));
  std::cout << "clocked WAV device: 48000 samples in "
            << std::chrono::duration_cast<milliseconds>(took).count() << " ms\n";
}

TEST(NullDevice, IsPacedSilenceWithAOneLineReason) {
  auto device = open_null_device("PortAudio found no audio devices");
  ASSERT_TRUE(device->start());
  const auto s = device->status();
  EXPECT_TRUE(s.running);
  EXPECT_EQ(s.error, "no audio device: PortAudio found no audio devices; using silence");
  EXPECT_EQ(s.error.find('\n'), std::string::npos);
  const Duration took = time_to_capture(*device, kSampleRate / 2);
  EXPECT_GT(took, milliseconds(250));
  EXPECT_LT(took, milliseconds(1000));
  std::vector<Sample> some(960, 1);
  some.resize(device->read_capture(some));
  EXPECT_TRUE(std::all_of(some.begin(), some.end(), [](Sample v) { return v == 0; }));
  device->write_playback(std::vector<Sample>(960, 7));  // discarded without complaint
  device->stop();
  EXPECT_FALSE(device->status().running);
}

}  // namespace
}  // namespace koe
