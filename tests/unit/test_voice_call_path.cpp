// VoiceSender -> datagrams -> VoiceReceiver with real Opus: the stream plays, reports
// flow back, and the sender turns on FEC and redundancy when the path loses packets.
#include <gtest/gtest.h>

#include "audio/opus_decoder.hpp"
#include "audio/resampler.hpp"
#include "audio/voice_receiver.hpp"
#include "audio/voice_sender.hpp"
#include "net/random.hpp"
#include "tests/sim/speech_synth.hpp"

namespace koe {
namespace {

using std::chrono::milliseconds;

struct Call {
  VoiceSender sender;
  VoiceReceiver receiver{std::make_unique<OpusVoiceDecoder>()};
  int reports = 0;

  // `lose(k)`: whether the k-th datagram is lost. Reports reach the sender 40 ms later.
  // `speech` at 48 kHz, or the 16 kHz speech band (`frame` 320).
  template <typename Lose>
  void run(const std::vector<Sample>& speech, Lose lose, size_t frame = 960) {
    std::vector<Sample> out(960);
    std::optional<std::pair<TimePoint, LossReport>> report_in_flight;
    int datagram = 0;
    for (size_t k = 0; k * frame + frame <= speech.size(); ++k) {
      const TimePoint now(milliseconds(20 * int64_t(k)));
      if (report_in_flight && report_in_flight->first <= now) {
        sender.on_peer_report(report_in_flight->second);
        report_in_flight.reset();
      }
      if (auto bytes = sender.send(std::span<const Sample>(speech).subspan(k * frame, frame))) {
        if (!lose(datagram++)) receiver.on_datagram(now + milliseconds(30), *bytes);
      }
      receiver.pull(now, out);
      if (auto report = receiver.poll_report(now)) {
        report_in_flight = {now + milliseconds(40), *report};
        ++reports;
      }
    }
  }
};

TEST(VoiceCallPath, CleanPathPlaysWithoutRepair) {
  Call call;
  call.run(sim::synthesize_speech(10.0, 31), [](int) { return false; });
  const auto& j = call.receiver.jitter_stats();
  EXPECT_GT(j.normal, 300u);
  EXPECT_EQ(j.concealed + j.late, 0u);
  EXPECT_GE(call.reports, 8);
  EXPECT_FALSE(call.sender.settings().opus.fec);
  EXPECT_EQ(call.sender.settings().red_depth, 0);
  EXPECT_EQ(call.receiver.malformed(), 0u);
}

// The voice processor's 16 kHz band, as the engine hands it over: the timestamps still
// count 48 kHz samples, so the receiver plays it at full rate without a gap or a late packet.
TEST(VoiceCallPath, SpeechBandPlaysWithoutRepair) {
  Call call;
  call.run(resample(sim::synthesize_speech(10.0, 32), kSampleRate, kSpeechBandRate), [](int) { return false; }, 320);
  const auto& j = call.receiver.jitter_stats();
  EXPECT_GT(j.normal, 300u);
  EXPECT_EQ(j.concealed + j.late + j.dropped, 0u);
  EXPECT_EQ(call.sender.stats().frames, 500u);
}

TEST(VoiceCallPath, LossySideSwitchesRepairOnAndRecovers) {
  Call call;
  SeededRandom random(99);
  call.run(sim::synthesize_speech(20.0, 32), [&](int) { return random.uniform(100) < 15; });
  const auto& settings = call.sender.settings();
  EXPECT_GE(settings.red_depth, 1);
  EXPECT_GE(settings.opus.expected_loss_percent, 10);
  const auto& j = call.receiver.jitter_stats();
  EXPECT_GT(j.red_recovered + j.fec_recovered, 3 * j.concealed);
}

TEST(VoiceCallPath, GarbageDatagramsAreCountedAndIgnored) {
  VoiceReceiver receiver(std::make_unique<OpusVoiceDecoder>());
  const Bytes junk = {0xFF, 0x00, 0x01};
  EXPECT_FALSE(receiver.on_datagram(TimePoint{}, junk));
  EXPECT_EQ(receiver.malformed(), 1u);
  EXPECT_FALSE(receiver.poll_report(TimePoint(std::chrono::seconds(5))));  // nothing received yet
}

}  // namespace
}  // namespace koe
