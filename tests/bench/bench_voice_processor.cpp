// Cost of one 10 ms frame through each echo canceller and through the whole voice
// chain (echo cancellation, noise suppression, gain control, voice detection).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "audio/echo_canceller.hpp"
#include "audio/voice_processor.hpp"

namespace koe {
namespace {

constexpr size_t kFrame = kVoiceProcessingFrameSamples;

// Two seconds of seeded noise as far end, and its half-level copy 50 ms later as
// capture, so the filters have something to adapt to.
struct Signals {
  std::vector<Sample> far, capture;
  Signals() : far(2 * kSampleRate), capture(2 * kSampleRate) {
    std::mt19937 rng(1);
    std::normal_distribution<double> noise(0, 3000);
    for (auto& s : far) s = static_cast<Sample>(noise(rng));
    const size_t delay = kSampleRate / 20;
    for (size_t i = delay; i < far.size(); ++i) capture[i] = static_cast<Sample>(far[i - delay] / 2);
  }
};

void BM_EchoCanceller(benchmark::State& state) {
  const Signals s;
  auto canceller = make_echo_canceller(static_cast<EchoCancellerKind>(state.range(0)));
  std::vector<Sample> out(kFrame);
  size_t at = 0;
  for (auto _ : state) {
    canceller->process(std::span(s.capture).subspan(at, kFrame), std::span(s.far).subspan(at, kFrame), out);
    at = at + 2 * kFrame <= s.far.size() ? at + kFrame : 0;
  }
  state.SetLabel(std::string(echo_canceller_name(static_cast<EchoCancellerKind>(state.range(0)))));
}
BENCHMARK(BM_EchoCanceller)
    ->Arg(static_cast<int>(EchoCancellerKind::kSpeex))
    ->Arg(static_cast<int>(EchoCancellerKind::kWebrtc));

void BM_VoiceChain(benchmark::State& state) {
  const Signals s;
  VoiceProcessor processor;
  std::vector<Sample> frame(kFrame);
  size_t at = 0;
  for (auto _ : state) {
    std::copy_n(s.capture.begin() + static_cast<std::ptrdiff_t>(at), kFrame, frame.begin());
    benchmark::DoNotOptimize(processor.process(frame, std::span(s.far).subspan(at, kFrame)));
    at = at + 2 * kFrame <= s.far.size() ? at + kFrame : 0;
  }
}
BENCHMARK(BM_VoiceChain);

}  // namespace
}  // namespace koe
