// CPU cost of the voice path: Opus encode and decode as Koe configures them, the whole
// per-call path (encode + redundancy + VoiceFrame, parse + jitter buffer + decode) per
// 20 ms frame, and one engine's share of a call with the default voice processing. The
// core_percent counter is CPU time per frame over the frame's 20 ms.
#include <benchmark/benchmark.h>

#include <memory>

#include "audio/opus_decoder.hpp"
#include "audio/opus_encoder.hpp"
#include "audio/call_media.hpp"
#include "audio/voice_engine.hpp"
#include "audio/voice_processor.hpp"
#include "audio/voice_receiver.hpp"
#include "audio/voice_sender.hpp"
#include "tests/sim/speech_synth.hpp"

namespace {

using namespace koe;

const std::vector<Sample>& speech() {
  static const std::vector<Sample> s = sim::synthesize_speech(10.0, 21);
  return s;
}

std::span<const Sample> frame_at(size_t k) {
  const size_t frames = speech().size() / kDefaultFrameSamples;
  return std::span<const Sample>(speech()).subspan((k % frames) * kDefaultFrameSamples, kDefaultFrameSamples);
}

// Encoder at complexity range(0), FEC on (range(1) == 1) at 10% expected loss.
void BM_OpusEncode(benchmark::State& state) {
  OpusEncoderConfig config;
  config.complexity = int(state.range(0));
  config.dtx = false;
  config.settings = {24000, state.range(1) == 1, 10};
  OpusVoiceEncoder encoder(config);
  size_t k = 0;
  for (auto _ : state) benchmark::DoNotOptimize(encoder.encode(frame_at(k++)));
  state.counters["frames_per_s"] = benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_OpusEncode)->ArgsProduct({{0, 5, 10}, {0, 1}})->ArgNames({"complexity", "fec"});

void BM_OpusDecode(benchmark::State& state) {
  OpusEncoderConfig config;
  config.dtx = false;
  OpusVoiceEncoder encoder(config);
  std::vector<Bytes> packets;
  for (size_t k = 0; k < 500; ++k) {
    const auto p = encoder.encode(frame_at(k));
    packets.emplace_back(p->begin(), p->end());
  }
  OpusVoiceDecoder decoder;
  std::vector<Sample> out(kDefaultFrameSamples);
  size_t k = 0;
  for (auto _ : state) benchmark::DoNotOptimize(decoder.decode(packets[k++ % packets.size()], out));
}
BENCHMARK(BM_OpusDecode);

// One call's audio path for one frame in each direction's worth of work: our sender
// encodes (FEC for 10% loss, one redundant copy, as the controller picks at that loss),
// the peer's receiver parses, buffers, decodes and plays it.
void BM_CallAudioPath(benchmark::State& state) {
  VoiceSenderConfig config;
  config.encoder.complexity = int(state.range(0));
  VoiceSender sender(config);
  LossReport lossy;
  lossy.loss_fraction = to_fraction256(0.10);
  sender.on_peer_report(lossy);
  VoiceReceiver receiver(std::make_unique<OpusVoiceDecoder>());
  std::vector<Sample> out(kDefaultFrameSamples);
  size_t k = 0;
  for (auto _ : state) {
    const TimePoint now(std::chrono::milliseconds(20 * int64_t(k)));
    if (auto datagram = sender.send(frame_at(k))) receiver.on_datagram(now, *datagram);
    receiver.pull(now, out);
    benchmark::DoNotOptimize(out.data());
    ++k;
  }
  state.counters["red_depth"] = sender.settings().red_depth;
  state.counters["fec"] = sender.settings().opus.fec;
  // CPU seconds per frame / 0.020 s * 100: an inverted rate of iterations * 0.02 / 100.
  state.counters["core_percent"] = benchmark::Counter(double(state.iterations()) * 0.0002,
                                                      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_CallAudioPath)->Arg(5)->Arg(10)->ArgName("complexity");

// What a voice engine's media thread does per 20 ms frame of a call with its default
// processing, without the thread: two sides talk at once (different speech), each
// processes its microphone against what it played, encodes, and the other parses,
// buffers and decodes. One iteration is both sides: half of it is one engine's frame.
// Deterministic (no clock, no threads), so `valgrind --tool=callgrind` counts repeat.
void BM_EngineCallFrame(benchmark::State& state) {
  struct Side {
    VoiceProcessor processor{kDefaultEchoCanceller, VoiceEngineConfig{}.processing};
    CallMedia media{CallMediaConfig{}};
    std::vector<Sample> speech, microphone = std::vector<Sample>(kDefaultFrameSamples),
                                played = std::vector<Sample>(kDefaultFrameSamples);
  };
  Side sides[2];
  sides[0].speech = sim::synthesize_speech(10.0, 21);
  sides[1].speech = sim::synthesize_speech(10.0, 22);
  const size_t frames = sides[0].speech.size() / kDefaultFrameSamples;
  size_t k = 0;
  for (auto _ : state) {
    const TimePoint now(std::chrono::milliseconds(20 * int64_t(k)));
    for (int i = 0; i < 2; ++i) {
      Side& me = sides[i];
      Side& peer = sides[1 - i];
      const auto at = static_cast<std::ptrdiff_t>((k % frames) * kDefaultFrameSamples);
      std::copy_n(me.speech.begin() + at, kDefaultFrameSamples, me.microphone.begin());
      const std::span<const Sample> voice = me.processor.process_to_band(me.microphone, me.played);
      if (auto datagram = me.media.send(now, voice))
        peer.media.on_datagram(now, *datagram);
    }
    for (Side& side : sides) side.media.play(now, side.played);
    benchmark::DoNotOptimize(sides[0].played.data());
    ++k;
  }
  // Per engine: half an iteration's CPU time over 20 ms, in percent.
  state.counters["core_percent"] = benchmark::Counter(double(state.iterations()) * 0.0004,
                                                      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_EngineCallFrame);

}  // namespace
