// koe-wav-match: how well a recording carries a reference sound (the NAT lab's
// "audio delivered" check). Every 200 ms block of the reference louder than -50 dBFS
// is found in the recording by normalised cross-correlation (its own lag, since a
// jitter buffer moves the delay between talkspurts); prints one JSON line with the
// median correlation, the median lag and the number of blocks. Both WAVs are read at
// any common rate and resampled to 48 kHz.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "audio/wav_file.hpp"
#include "tests/unit/signal_alignment.hpp"

int main(int argc, char** argv) {
  CLI::App app{"koe-wav-match: how well RECORDING carries REFERENCE (median block correlation)"};
  std::string reference_path, recording_path;
  double block_ms = 200;
  app.add_option("reference", reference_path, "The sound that was sent (WAV)")->required();
  app.add_option("recording", recording_path, "What was played out at the other end (WAV)")->required();
  app.add_option("--block-ms", block_ms, "Length of the blocks aligned on their own")->check(CLI::Range(20.0, 2000.0));
  CLI11_PARSE(app, argc, argv);

  const auto reference = koe::load_wav_48k(reference_path);
  if (!reference) return std::fprintf(stderr, "koe-wav-match: %s\n", reference.error().c_str()), 2;
  const auto recording = koe::load_wav_48k(recording_path);
  if (!recording) return std::fprintf(stderr, "koe-wav-match: %s\n", recording.error().c_str()), 2;

  const auto block = static_cast<size_t>(block_ms * 48);
  std::vector<koe::test::Alignment> found;
  if (recording->size() > block && reference->size() >= block) {
    found = koe::test::align_blocks(*reference, *recording, 0, reference->size(), block, 0,
                                    static_cast<int64_t>(recording->size() - block));
  }
  std::vector<int64_t> lags;
  for (const auto& a : found) lags.push_back(a.lag);
  std::sort(lags.begin(), lags.end());
  const double lag_ms = lags.empty() ? 0 : double(lags[lags.size() / 2]) / 48.0;
  std::printf("{\"correlation\": %.3f, \"lag_ms\": %.1f, \"blocks\": %zu}\n", koe::test::median_correlation(found),
              lag_ms, found.size());
  return 0;
}
