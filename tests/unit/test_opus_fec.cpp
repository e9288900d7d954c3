// In-band FEC through the jitter buffer with real Opus: lost frames are rebuilt from the
// next packet (counted), and the rebuilt audio is closer to what the lost frames would
// have played than packet-loss concealment is.
#include <gtest/gtest.h>

#include "audio/jitter_buffer.hpp"
#include "audio/opus_packet.hpp"
#include "audio/opus_decoder.hpp"
#include "audio/opus_encoder.hpp"
#include "tests/sim/speech_quality.hpp"
#include "tests/sim/speech_synth.hpp"

namespace koe {
namespace {

using std::chrono::milliseconds;

// The real decoder, except that FEC recovery fails: the jitter buffer conceals instead
// (with the same buffering, since the packets still say they carry FEC).
class FecBlindDecoder final : public VoiceDecoder {
 public:
  std::optional<PayloadInfo> inspect(ByteView payload) const override { return inner_.inspect(payload); }
  bool decode(ByteView payload, std::span<Sample> out) override { return inner_.decode(payload, out); }
  bool decode_fec(ByteView, std::span<Sample>) override { return false; }
  void conceal(std::span<Sample> out) override { inner_.conceal(out); }

 private:
  OpusVoiceDecoder inner_;
};

std::vector<VoiceFrame> encode_speech() {
  OpusEncoderConfig config;
  config.dtx = false;
  config.settings = {24000, true, 10};
  OpusVoiceEncoder encoder(config);
  const auto speech = sim::synthesize_speech(12.0, 11);
  std::vector<VoiceFrame> frames;
  for (size_t at = 0; at + 960 <= speech.size(); at += 960) {
    VoiceFrame f;
    f.sequence = uint16_t(frames.size());
    f.timestamp = uint32_t(at);
    const auto packet = encoder.encode(std::span<const Sample>(speech).subspan(at, 960));
    f.opus.assign(packet->begin(), packet->end());
    frames.push_back(std::move(f));
  }
  return frames;
}

struct Played {
  std::vector<Sample> pcm;
  size_t start = 0;  // where frame 0 begins in pcm
  // Samples inserted less removed by time stretching by each pull: frames after a
  // stretch begin that much later (the buffer settles its delay when FEC starts).
  std::vector<int64_t> stretched;
  JitterBufferStats stats;
};

// Plays the frames arriving every 20 ms (a steady 20 ms path; `lost` never arrive).
Played play(std::unique_ptr<VoiceDecoder> decoder, const std::vector<VoiceFrame>& frames,
            const std::vector<bool>& lost) {
  // A steady path and a fixed margin: after settling in its first frames (the same in
  // every run: nothing is lost before frame 100), the buffer never stretches.
  JitterBufferConfig config;
  config.delay.initial_target = milliseconds(10);
  config.delay.decay_time = std::chrono::seconds(1000);
  JitterBuffer jb(std::move(decoder), config);
  Played played;
  std::vector<Sample> frame(960);
  for (size_t k = 0; k <= frames.size() || jb.buffered_packets() > 0; ++k) {
    const TimePoint now(milliseconds(20 * int64_t(k)));
    if (k >= 1 && k - 1 < frames.size() && !lost[k - 1]) jb.insert(now, frames[k - 1]);
    if (jb.pull(now, frame).kind == PlayoutKind::kSilence) played.start = played.pcm.size() + frame.size();
    played.pcm.insert(played.pcm.end(), frame.begin(), frame.end());
    played.stretched.push_back(int64_t(jb.stats().samples_inserted) - int64_t(jb.stats().samples_removed));
  }
  played.stats = jb.stats();
  return played;
}

TEST(OpusFec, LostFramesAreRebuiltAndSoundCloserThanConcealment) {
  const auto frames = encode_speech();
  // Isolated losses of frames that carry speech and whose successor carries FEC.
  std::vector<bool> lost(frames.size(), false);
  int expected = 0;
  for (size_t k = 100; k + 1 < frames.size(); k += 9) {
    const auto info = inspect_opus_packet(frames[k].opus);
    const auto next = inspect_opus_packet(frames[k + 1].opus);
    if (info->voice_active && next->carries_fec) {
      lost[k] = true;
      ++expected;
    }
  }
  ASSERT_GT(expected, 30);

  const Played clean = play(std::make_unique<OpusVoiceDecoder>(), frames, std::vector<bool>(frames.size()));
  const Played with_fec = play(std::make_unique<OpusVoiceDecoder>(), frames, lost);
  const Played concealed = play(std::make_unique<FecBlindDecoder>(), frames, lost);
  const JitterBufferStats &clean_stats = clean.stats, &fec_stats = with_fec.stats, &plc_stats = concealed.stats;

  EXPECT_EQ(clean_stats.concealed, 0u);
  EXPECT_EQ(fec_stats.fec_recovered, uint64_t(expected));
  EXPECT_EQ(fec_stats.concealed, 0u);
  EXPECT_EQ(plc_stats.concealed, uint64_t(expected));
  EXPECT_EQ(plc_stats.fec_recovered, 0u);
  // Same timing in all three runs, so the outputs line up sample for sample; the
  // lossless run stands for what the lost frames should have played.
  // Closeness is the log-spectral distance over each lost frame: a waveform match is too
  // much to ask of a parametric codec at its FEC bitrate.
  for (const auto* s : {&fec_stats, &plc_stats}) {
    EXPECT_EQ(s->samples_removed, clean_stats.samples_removed);
    EXPECT_EQ(s->samples_inserted, clean_stats.samples_inserted);
  }
  ASSERT_EQ(clean.start, with_fec.start);
  ASSERT_EQ(clean.start, concealed.start);
  double fec_distance = 0, plc_distance = 0;
  int fec_closer = 0;
  for (size_t k = 0; k < frames.size(); ++k) {
    if (!lost[k]) continue;
    // Frame k plays after pull k (the buffer holds at least one frame), so any stretch
    // by then lies before it; all three runs stretch alike (checked above).
    const size_t at = size_t(int64_t(clean.start + k * 960) + clean.stretched[k]);
    const auto region = [&](const Played& p) { return std::span<const Sample>(p.pcm).subspan(at, 1024); };
    const double fec = sim::log_spectral_distance(region(clean), region(with_fec));
    const double plc = sim::log_spectral_distance(region(clean), region(concealed));
    fec_distance += fec;
    plc_distance += plc;
    fec_closer += fec < plc ? 1 : 0;
  }
  RecordProperty("mean_lsd_fec_db", std::to_string(fec_distance / expected));
  RecordProperty("mean_lsd_plc_db", std::to_string(plc_distance / expected));
  EXPECT_LT(fec_distance, 0.7 * plc_distance);
  EXPECT_GT(fec_closer, expected * 3 / 4);
}

}  // namespace
}  // namespace koe
