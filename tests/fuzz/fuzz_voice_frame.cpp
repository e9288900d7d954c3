// Fuzzes the VoiceFrame decoder (hostile datagram payloads): decoding never crashes;
// whatever decodes re-encodes to the same bytes and decodes again to the same frame;
// and the frame, with a follow-up, goes through a jitter buffer and real Opus decoding.
#include <cstdlib>

#include "audio/jitter_buffer.hpp"
#include "audio/opus_decoder.hpp"
#include "audio/voice_frame.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace koe;
  const ByteView bytes(data, size);
  const Decoded<VoiceFrame> frame = decode_voice_frame(bytes);
  if (!frame) return 0;

  const std::optional<Bytes> again = encode_voice_frame(*frame);
  if (!again || !std::equal(again->begin(), again->end(), bytes.begin(), bytes.end())) std::abort();
  const Decoded<VoiceFrame> twice = decode_voice_frame(*again);
  if (!twice || !(*twice == *frame)) std::abort();

  JitterBuffer jb(std::make_unique<OpusVoiceDecoder>());
  VoiceFrame next = *frame;
  next.sequence = static_cast<uint16_t>(next.sequence + 1);
  next.timestamp += kDefaultFrameSamples;
  jb.insert(TimePoint{}, *frame);
  jb.insert(TimePoint(std::chrono::milliseconds(20)), next);
  std::vector<Sample> out(kDefaultFrameSamples);
  for (int i = 0; i < 8; ++i) jb.pull(TimePoint(std::chrono::milliseconds(20 * i)), out);
  return 0;
}
