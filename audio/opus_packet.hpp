// Reads an Opus packet's framing (RFC 6716 §3) and the first SILK flags (voice activity,
// in-band FEC present) without decoding it, so hostile payloads are refused early.
// Pure functions; any thread.
#pragma once

#include <cstddef>
#include <optional>

#include "audio/voice_decoder.hpp"
#include "net/bytes.hpp"

namespace koe {

// The largest Opus packet (RFC 6716 §3.4, R5).
inline constexpr size_t kMaxOpusPacketBytes = 1275;

// nullopt unless `packet` is well-formed and decodes to at most kMaxFrameSamples.
// A TOC-only packet (no frame data) is valid: it decodes as concealment.
std::optional<PayloadInfo> inspect_opus_packet(ByteView packet);

}  // namespace koe
