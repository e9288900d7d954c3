// libFuzzer harness for the WAV parser, which reads user-supplied files. Any
// input must give either audio or an error, never a crash; audio that parses
// must survive encode -> parse unchanged (mono at the same rate), and a
// successful parse must never yield more samples than the input had bytes for.
#include <cstdint>
#include <cstdlib>

#include "audio/wav_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace koe;
  auto wav = parse_wav(ByteView(data, size));
  if (!wav) {
    if (wav.error().empty()) std::abort();  // every rejection says why
    return 0;
  }
  if (wav->samples.size() * sizeof(Sample) > size) std::abort();
  const Bytes encoded = encode_wav(wav->samples, wav->sample_rate);
  auto again = parse_wav(encoded);
  if (!again || again->sample_rate != wav->sample_rate || again->samples != wav->samples)
    std::abort();
  return 0;
}
