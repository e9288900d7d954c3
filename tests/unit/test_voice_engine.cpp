// Two voice engines in one process, each on a clocked WAV device, their SendVoice
// callbacks delivering straight into each other: speech crosses, loss is repaired and
// counted, mute, peer volume, the echo service, closing a call, and hostile input.
// Real time (the devices tick on their own threads); every wait is on a condition.
#include "audio/voice_engine.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>

#include "audio/device_file.hpp"
#include "audio/wav_file.hpp"
#include "tests/support/child_process.hpp"
#include "tests/unit/signal_alignment.hpp"
#include "tests/unit/voice_signals.hpp"

namespace koe {
namespace {

using std::chrono::milliseconds;
using test::seconds;

constexpr uint64_t kCall = 7;
constexpr auto kBound = milliseconds(30000);  // generous: the machine may be loaded

bool eventually(const std::function<bool()>& condition, milliseconds limit = kBound) {
  return test::ChildProcess::wait_for(condition, limit);
}

// Engine A and engine B joined back to back; `drop_a_to_b(k)` says whether A's k-th
// datagram is lost on the way.
class VoiceEnginePair : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/koe_engine_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    stop();
    a_.reset();
    b_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string write_wav(const std::string& name, const std::vector<Sample>& samples) {
    const Bytes bytes = encode_wav(samples, kSampleRate);
    std::ofstream(path(name), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return path(name);
  }

  std::vector<Sample> read_wav(const std::string& name) {
    auto samples = load_wav_48k(path(name));
    EXPECT_TRUE(samples) << samples.error();
    return samples ? *samples : std::vector<Sample>{};
  }

  std::unique_ptr<AudioDevice> device(const std::string& in, const std::string& out, FrameLength frame) {
    ClockedDeviceOptions options;
    options.input_path = in;
    options.output_path = out.empty() ? "" : path(out);
    options.frame = frame;
    auto opened = ClockedWavDevice::open(options);
    EXPECT_TRUE(opened) << opened.error();
    return opened ? std::move(*opened) : nullptr;
  }

  // Starts both engines (A's microphone plays `a_in`; recordings go to the named
  // files, "" for none) and opens kCall on both.
  void start(const std::string& a_in, const std::string& a_out, const std::string& b_in,
             const std::string& b_out, VoiceEngineConfig config = {}) {
    config.random_seed = 11;
    a_ = std::make_unique<VoiceEngine>(device(a_in, a_out, config.frame), config,
                                       [this](uint64_t call, Bytes payload) {
                                         ++a_sent_;
                                         if (!drop_a_to_b_(a_sent_)) b_->deliver(call, payload);
                                       });
    config.random_seed = 12;
    b_ = std::make_unique<VoiceEngine>(device(b_in, b_out, config.frame), config,
                                       [this](uint64_t call, Bytes payload) { a_->deliver(call, payload); });
    ASSERT_TRUE(a_->start());
    ASSERT_TRUE(b_->start());
    a_->open_call(kCall);
    b_->open_call(kCall);
  }

  // Stops both (completing the recordings); A first, while B can still take its datagrams.
  void stop() {
    if (a_) a_->stop();
    if (b_) b_->stop();
  }

  // Waits until `engine` has taken `frames` more microphone frames.
  void wait_frames(const VoiceEngine& engine, uint64_t frames) {
    const uint64_t until = engine.engine_stats().frames_captured + frames;
    ASSERT_TRUE(eventually([&] { return engine.engine_stats().frames_captured >= until; }));
  }

  std::filesystem::path dir_;
  std::unique_ptr<VoiceEngine> a_, b_;
  std::atomic<uint64_t> a_sent_{0};
  std::atomic<uint64_t> dropped_{0};
  std::function<bool(uint64_t)> drop_a_to_b_ = [](uint64_t) { return false; };
};

class VoiceEnginePairFrames : public VoiceEnginePair, public ::testing::WithParamInterface<FrameLength> {};

TEST_P(VoiceEnginePairFrames, SpeechFromAArrivesInBsRecordingWithAModestDelay) {
  const std::vector<Sample> speech = test::speech_like(seconds(3.0), 3000, 5);
  VoiceEngineConfig config;
  config.frame = GetParam();
  start(write_wav("a_in.wav", speech), "", "", "b_out.wav", config);
  // 4 s of B's playout: the whole 3 s source with room for the pipeline's delay.
  const uint64_t frames = 4000 / static_cast<uint64_t>(config.frame);
  ASSERT_TRUE(eventually([&] { return b_->stats(kCall).frames_played >= frames; }));
  stop();

  const CallMediaStats sent = a_->stats(kCall), got = b_->stats(kCall);
  EXPECT_GT(got.packets_received, frames / 2);
  EXPECT_GE(got.packets_received + 2, sent.packets_sent);  // all but the last in flight
  EXPECT_EQ(got.packets_lost, 0u);
  EXPECT_EQ(got.packets_malformed, 0u);
  EXPECT_LE(got.frames_concealed, frames / 20);  // scheduling hiccups at most
  EXPECT_GT(sent.bitrate_bps, 0);

  const std::vector<Sample> recording = read_wav("b_out.wav");
  ASSERT_GT(recording.size(), seconds(3.0));
  // Each 200 ms of speech is found again, closely matching, at a plausible delay.
  const std::vector<test::Alignment> blocks =
      test::align_blocks(speech, recording, seconds(0.2), seconds(2.8), seconds(0.2), 0, int64_t(seconds(0.5)));
  ASSERT_GE(blocks.size(), 6u);
  EXPECT_GT(test::median_correlation(blocks), 0.6);
  for (const test::Alignment& block : blocks) {
    if (block.correlation < 0.5) continue;  // a block cut by a talkspurt edge
    EXPECT_GT(block.lag, 0);
    EXPECT_LT(block.lag, int64_t(seconds(0.25)));
  }
}

INSTANTIATE_TEST_SUITE_P(FrameLengths, VoiceEnginePairFrames,
                         ::testing::Values(FrameLength::k20ms, FrameLength::k10ms),
                         [](const auto& param_info) { return std::to_string(int(param_info.param)) + "ms"; });

TEST_F(VoiceEnginePair, EveryTenthDatagramLostIsRepairedAndCounted) {
  drop_a_to_b_ = [this](uint64_t k) {
    if (k % 10 != 0) return false;
    ++dropped_;
    return true;
  };
  start(write_wav("a_in.wav", test::speech_like(seconds(4.0), 3000, 6)), "", "", "");
  // B's loss reports (once a second, riding on B's datagrams) turn on A's repair.
  ASSERT_TRUE(eventually([&] {
    const CallMediaStats s = a_->stats(kCall);
    return s.red_depth >= 1 || s.fec;
  }));
  ASSERT_TRUE(eventually([&] { return a_sent_ >= 300; }));
  stop();

  const CallMediaStats got = b_->stats(kCall);
  // Loss is judged once a sequence number is 16 behind the newest: the last may be pending.
  EXPECT_LE(got.packets_lost, dropped_.load());
  EXPECT_GE(got.packets_lost + 2, dropped_.load());
  EXPECT_NEAR(got.loss_fraction, 0.1, 0.02);
  EXPECT_GT(got.frames_fec_recovered + got.frames_red_recovered, 0u);
  EXPECT_GE(got.frames_concealed + got.frames_fec_recovered + got.frames_red_recovered, got.packets_lost / 2);
}

TEST_F(VoiceEnginePair, MuteSilencesTheCallAndDtxStopsTheStream) {
  start(write_wav("a_in.wav", test::speech_like(seconds(4.0), 3000, 7)), "", "", "");
  ASSERT_TRUE(eventually([&] { return b_->levels().output.rms_dbfs > -40; }));

  a_->set_muted(true);
  EXPECT_TRUE(a_->levels().microphone_muted);
  ASSERT_TRUE(eventually([&] { return b_->levels().output.rms_dbfs < -60; }));
  const uint64_t sent = a_->stats(kCall).packets_sent;
  wait_frames(*a_, 50);  // one second
  // Silence in DTX: a refresh packet every 400 ms instead of 50 packets.
  EXPECT_LE(a_->stats(kCall).packets_sent - sent, 10u);
  EXPECT_GT(a_->levels().input.rms_dbfs, -40);  // the meter still shows the microphone

  a_->set_muted(false);
  EXPECT_TRUE(eventually([&] { return b_->levels().output.rms_dbfs > -40; }));
}

TEST_F(VoiceEnginePair, PeerVolumeZeroSilencesThatPeerOnly) {
  start(write_wav("a_in.wav", test::speech_like(seconds(4.0), 3000, 8)), "", "", "");
  ASSERT_TRUE(eventually([&] { return b_->levels().output.rms_dbfs > -40; }));
  b_->set_peer_volume(kCall, 0.0f);
  ASSERT_TRUE(eventually([&] { return b_->levels().output.rms_dbfs < -80; }));
  EXPECT_GT(b_->stats(kCall).frames_played, 0u);  // still received and played, just not heard
  b_->set_peer_volume(kCall, 1.5f);
  EXPECT_TRUE(eventually([&] { return b_->levels().output.rms_dbfs > -40; }));
}

TEST_F(VoiceEnginePair, EchoServiceRecordsThenPlaysTheCallerBack) {
  // 1.5 s of speech, then silence: the service records 2 s of it, then sends it back.
  std::vector<Sample> words = test::speech_like(seconds(1.5), 3000, 9);
  words.resize(seconds(4.0), 0);
  // Voice processing off: A's noise suppressor and gain control would blur the
  // waveform comparison below, and the service is what is under test.
  VoiceEngineConfig config;
  config.processing = {false, false, false, false};
  start(write_wav("a_in.wav", words), "a_out.wav", "", "", config);
  b_->set_echo_mode(kCall, std::chrono::seconds(2));
  EXPECT_FALSE(b_->echo_finished(kCall));
  ASSERT_TRUE(eventually([&] { return b_->echo_finished(kCall); }));
  wait_frames(*a_, 50);  // the last of it reaches A's speaker
  stop();

  const std::vector<Sample> heard = read_wav("a_out.wav");
  ASSERT_GT(heard.size(), seconds(3.5));
  // Nothing comes back while the service records.
  EXPECT_LT(test::power_db(heard, 0, seconds(1.9)), -60);
  // Then the caller's own words, about 2 s (the recording) plus two trips later.
  const std::vector<test::Alignment> blocks = test::align_blocks(
      words, heard, seconds(0.1), seconds(1.5), seconds(0.2), int64_t(seconds(1.5)), int64_t(seconds(3.0)));
  ASSERT_GE(blocks.size(), 4u);
  EXPECT_GT(test::median_correlation(blocks), 0.5);
  for (const test::Alignment& block : blocks) {
    if (block.correlation < 0.4) continue;
    EXPECT_GT(block.lag, int64_t(seconds(2.0)));
    EXPECT_LT(block.lag, int64_t(seconds(2.6)));
  }
}

TEST_F(VoiceEnginePair, ClosingACallStopsItsStream) {
  start(write_wav("a_in.wav", test::speech_like(seconds(4.0), 3000, 10)), "", "", "");
  ASSERT_TRUE(eventually([&] { return a_sent_ >= 20; }));

  a_->close_call(kCall);
  EXPECT_EQ(a_->stats(kCall).packets_sent, 0u);  // a closed call has no statistics
  wait_frames(*a_, 2);  // any frame in progress at the close is done
  const uint64_t sent = a_sent_;
  wait_frames(*a_, 25);
  EXPECT_EQ(a_sent_, sent);
  // B's datagrams for the closed call are refused and counted.
  ASSERT_TRUE(eventually([&] { return a_->engine_stats().datagrams_unknown_call > 0; }));
  EXPECT_GT(a_->engine_stats().frames_written, 0u);  // A still plays (silence)
}

TEST_F(VoiceEnginePair, WithoutCallsMetersStayAliveAndSilencePlays) {
  auto engine = std::make_unique<VoiceEngine>(
      device(write_wav("in.wav", test::speech_like(seconds(2.0), 3000, 12)), "out.wav", FrameLength::k20ms),
      VoiceEngineConfig{}, [](uint64_t, Bytes) { ADD_FAILURE() << "nothing may be sent without a call"; });
  ASSERT_TRUE(engine->start());
  ASSERT_TRUE(eventually([&] { return engine->levels().input.rms_dbfs > -40; }));
  wait_frames(*engine, 25);
  engine->stop();
  const VoiceEngineStats s = engine->engine_stats();
  EXPECT_EQ(s.frames_written + s.playback_frames_skipped, s.frames_captured);
  EXPECT_GT(s.media_thread_cpu, Duration::zero());
  const std::vector<Sample> played = read_wav("out.wav");
  ASSERT_FALSE(played.empty());
  EXPECT_LT(test::power_db(played, 0, played.size()), -90);
}

// An incoming call rings with no call media open (the device plays between calls), and
// muted (mute is the microphone's); answering stops the ring: the recording, restarted
// at the answer as a call's is, stays silent but for frames already queued.
TEST_F(VoiceEnginePair, AlertReachesTheSpeakerBeforeTheAnswerAndStopsAtIt) {
  auto sounds = std::make_shared<AlertSounds>();
  LoopedClip& ring = sounds->clips[static_cast<size_t>(AlertSound::kRingtone)];
  ring.samples = test::white_noise(seconds(0.2), 3000, 13);
  ring.pause_samples = seconds(0.1);
  VoiceEngineConfig config;
  config.alerts = sounds;
  auto engine = std::make_unique<VoiceEngine>(device("", "out.wav", config.frame), config,
                                              [this](uint64_t, Bytes) { ++a_sent_; });
  engine->set_muted(true);
  ASSERT_TRUE(engine->start());
  wait_frames(*engine, 10);
  engine->start_alert(AlertSound::kRingtone);
  // The recording grows while we run, its header valid after every block.
  ASSERT_TRUE(eventually([&] {
    const auto heard = load_wav_48k(path("out.wav"));
    return heard && heard->size() > seconds(0.5) && test::power_db(*heard, 0, heard->size()) > -30;
  }));
  EXPECT_GT(engine->levels().output.rms_dbfs, -40);
  EXPECT_EQ(a_sent_, 0u) << "a ring is played, never sent";

  engine->stop_alert();  // as the node does when the call connects
  engine->open_call(kCall);
  wait_frames(*engine, 50);
  engine->stop();
  const std::vector<Sample> after = read_wav("out.wav");
  ASSERT_GT(after.size(), seconds(0.5));
  // Up to two frames were queued in the playback ring before the stop.
  EXPECT_LT(test::power_db(after, seconds(0.1), after.size()), -90);
}

// A device the test drives by hand: it hands over capture frames when told and never
// takes playback (a stalled sound card).
class HandDevice final : public AudioDevice {
 public:
  bool start() override { return true; }
  void stop() override {}
  AudioDeviceStatus status() const override { return counters(); }
  void restart_from_beginning() override { ++restarts; }

  void capture_one(size_t samples) { rings().push_capture(std::vector<Sample>(samples, 100)); }
  size_t playback_queued() const { return rings().playback.readable(); }

  std::atomic<int> restarts{0};
};

TEST_F(VoiceEnginePair, OpeningTheFirstCallRestartsTheDevice) {
  auto owned = std::make_unique<HandDevice>();
  HandDevice& hand = *owned;
  VoiceEngine engine(std::move(owned), {}, [](uint64_t, Bytes) {});
  engine.open_call(1);
  engine.open_call(2);
  engine.open_call(1);
  EXPECT_EQ(hand.restarts, 1);
  engine.close_call(1);
  engine.close_call(2);
  engine.open_call(3);
  EXPECT_EQ(hand.restarts, 2);
}

TEST_F(VoiceEnginePair, AStalledDeviceIsNeverHandedMoreThanTwoFrames) {
  auto owned = std::make_unique<HandDevice>();
  HandDevice& hand = *owned;
  VoiceEngine engine(std::move(owned), {}, [](uint64_t, Bytes) {});
  ASSERT_TRUE(engine.start());
  for (uint64_t k = 1; k <= 10; ++k) {
    hand.capture_one(kDefaultFrameSamples);
    // The capture frame, then the playback frame for the next one, playout_lead early.
    ASSERT_TRUE(eventually([&] {
      const VoiceEngineStats s = engine.engine_stats();
      return s.frames_captured == k && s.frames_written + s.playback_frames_skipped == k + 1;
    }));
    EXPECT_LE(hand.playback_queued(), 2 * kDefaultFrameSamples);
  }
  EXPECT_EQ(engine.engine_stats().playback_frames_skipped, 9u);
}

TEST_F(VoiceEnginePair, HostileAndExcessDatagramsAreBoundedAndCounted) {
  VoiceEngineConfig config;
  config.max_queued_datagrams = 16;
  auto engine = std::make_unique<VoiceEngine>(device("", "", config.frame), config, [](uint64_t, Bytes) {});
  engine->open_call(1);
  const Bytes junk = {0xFF, 0x00, 0x01};
  // Not started: nothing drains the queue.
  for (int i = 0; i < 40; ++i) engine->deliver(1, junk);
  EXPECT_EQ(engine->stats(1).packets_dropped, 24u);
  engine->deliver(2, junk);
  engine->deliver(1, Bytes(kMaxVoiceFrameBytes + 1, 0));
  EXPECT_EQ(engine->engine_stats().datagrams_unknown_call, 1u);
  EXPECT_EQ(engine->engine_stats().datagrams_oversized, 1u);

  ASSERT_TRUE(engine->start());
  EXPECT_TRUE(eventually([&] { return engine->stats(1).packets_malformed == 16; }));
  EXPECT_EQ(engine->stats(1).packets_received, 0u);
}

}  // namespace
}  // namespace koe
