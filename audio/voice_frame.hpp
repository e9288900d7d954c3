// VoiceFrame: the codec payload of one voice datagram (sent on ENet's unsequenced
// channel inside the sealed session): our sequence number and 48 kHz media timestamp,
// one Opus frame, up to kMaxRedundantFrames earlier frames (packet-level redundancy, as
// RFC 2198 RED), and optionally the sender's LossReport about the stream it receives.
// Plain value and codec for hostile bytes; any thread.
//
// Layout (big-endian):
//   u8  flags: version (2 bits, 0) | has_report (1) | reserved (3 bits, 0) | red count (2)
//   u16 sequence        +1 per datagram sent (DTX silence sends none)
//   u32 timestamp       48 kHz sample clock of the primary frame's first sample
//   [LossReport]        kLossReportSize bytes, when has_report
//   red count x { u16 timestamp offset back from the primary, u16 length }
//   red payloads        newest first (sequence - 1, sequence - 2, ...)
//   primary payload     the rest
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "audio/loss_report.hpp"
#include "net/bytes.hpp"
#include "net/decode_result.hpp"

namespace koe {

inline constexpr size_t kMaxRedundantFrames = 3;
// Every payload is one Opus packet of 1..kMaxVoicePayloadBytes.
inline constexpr size_t kMaxVoicePayloadBytes = 400;
// Leaves room for ENet's and the session's headers under wire::kMaxDatagramSize.
inline constexpr size_t kMaxVoiceFrameBytes = 1000;
// Redundant copies older than this (1.25 s) are useless to a jitter buffer.
inline constexpr uint32_t kMaxRedundancyOffset = 60000;

struct RedundantFrame {
  uint16_t timestamp_offset = 0;  // the copy starts this many samples before the primary
  Bytes opus;

  bool operator==(const RedundantFrame&) const = default;
};

struct VoiceFrame {
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  Bytes opus;
  std::vector<RedundantFrame> redundancy;  // newest first
  std::optional<LossReport> report;

  bool operator==(const VoiceFrame&) const = default;
};

// Encodes `frame`; nullopt when it breaks a rule decode_voice_frame enforces (so
// whatever we send, a peer accepts).
std::optional<Bytes> encode_voice_frame(const VoiceFrame& frame);

// Validates everything: sizes, version and reserved bits, each payload a well-formed
// Opus packet, redundant copies strictly older than the frame after them.
Decoded<VoiceFrame> decode_voice_frame(ByteView bytes);

}  // namespace koe
