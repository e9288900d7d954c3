// Test helper: builds WAV file images chunk by chunk, valid or deliberately
// broken, for the WAV parser and device tests. Plain functions; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audio/audio_format.hpp"
#include "net/bytes.hpp"

namespace koe::test {

inline void put_le(Bytes& out, uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// A chunk: 4-byte id, little-endian size, body, pad byte when the size is odd.
inline Bytes chunk(const std::string& id, const Bytes& body, bool pad = true) {
  Bytes out(id.begin(), id.end());
  put_le(out, static_cast<uint32_t>(body.size()), 4);
  out.insert(out.end(), body.begin(), body.end());
  if (pad && body.size() % 2 == 1) out.push_back(0);
  return out;
}

struct FmtFields {
  uint16_t tag = 1;
  uint16_t channels = 1;
  uint32_t rate = kSampleRate;
  uint16_t bits = 16;
  std::optional<uint16_t> block_align = std::nullopt;  // default: channels * bits / 8
  std::optional<uint32_t> byte_rate = std::nullopt;    // default: rate * block_align
};

inline Bytes fmt_body(const FmtFields& f) {
  const uint16_t align = f.block_align.value_or(static_cast<uint16_t>(f.channels * f.bits / 8));
  Bytes b;
  put_le(b, f.tag, 2);
  put_le(b, f.channels, 2);
  put_le(b, f.rate, 4);
  put_le(b, f.byte_rate.value_or(f.rate * align), 4);
  put_le(b, align, 2);
  put_le(b, f.bits, 2);
  return b;
}

inline Bytes pcm_body(const std::vector<Sample>& interleaved) {
  Bytes b;
  for (const Sample s : interleaved) put_le(b, static_cast<uint16_t>(s), 2);
  return b;
}

// "RIFF" size "WAVE" + chunks; riff_size overrides the (correct) size field.
inline Bytes riff(const std::vector<Bytes>& chunks, std::optional<uint32_t> riff_size = {}) {
  Bytes body = {'W', 'A', 'V', 'E'};
  for (const auto& c : chunks) body.insert(body.end(), c.begin(), c.end());
  Bytes out = {'R', 'I', 'F', 'F'};
  put_le(out, riff_size.value_or(static_cast<uint32_t>(body.size())), 4);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

}  // namespace koe::test
