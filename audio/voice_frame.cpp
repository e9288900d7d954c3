#include "audio/voice_frame.hpp"

#include "audio/opus_packet.hpp"
#include "net/byte_reader.hpp"
#include "net/byte_writer.hpp"

namespace koe {

namespace {

constexpr uint8_t kVersion = 0;
constexpr uint8_t kVersionShift = 6;
constexpr uint8_t kHasReportBit = 0x20;
constexpr uint8_t kReservedBits = 0x1C;
constexpr uint8_t kRedCountMask = 0x03;
static_assert(kMaxRedundantFrames <= kRedCountMask);

// Why a payload may not be carried, or nullopt if it may: 1..kMaxVoicePayloadBytes of
// well-formed Opus. Its decoded length comes back through `samples`.
std::optional<DecodeError> check_payload(ByteView payload, int& samples) {
  if (payload.empty()) return DecodeError::kBadFieldValue;
  if (payload.size() > kMaxVoicePayloadBytes) return DecodeError::kOversized;
  const auto info = inspect_opus_packet(payload);
  if (!info) return DecodeError::kBadFieldValue;
  samples = info->samples;
  return std::nullopt;
}

// Each redundant copy must end no later than the (newer) frame after it starts.
// `newer_offset` is that frame's offset back from the primary (0 for the primary).
bool copy_fits(uint32_t offset, int samples, uint32_t newer_offset) {
  return offset > newer_offset && offset <= kMaxRedundancyOffset &&
         offset - newer_offset >= static_cast<uint32_t>(samples);
}

std::optional<DecodeError> check_frame(const VoiceFrame& frame) {
  int samples = 0;
  if (auto error = check_payload(frame.opus, samples)) return error;
  if (frame.redundancy.size() > kMaxRedundantFrames) return DecodeError::kBadFieldValue;
  uint32_t newer_offset = 0;
  for (const RedundantFrame& red : frame.redundancy) {
    if (auto error = check_payload(red.opus, samples)) return error;
    if (!copy_fits(red.timestamp_offset, samples, newer_offset)) return DecodeError::kBadFieldValue;
    newer_offset = red.timestamp_offset;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Bytes> encode_voice_frame(const VoiceFrame& frame) {
  if (check_frame(frame)) return std::nullopt;
  ByteWriter writer(kMaxVoiceFrameBytes);
  uint8_t flags = static_cast<uint8_t>(kVersion << kVersionShift);
  if (frame.report) flags |= kHasReportBit;
  flags |= static_cast<uint8_t>(frame.redundancy.size());
  writer.u8(flags);
  writer.u16(frame.sequence);
  writer.u32(frame.timestamp);
  if (frame.report) write_loss_report(writer, *frame.report);
  for (const RedundantFrame& red : frame.redundancy) {
    writer.u16(red.timestamp_offset);
    writer.u16(static_cast<uint16_t>(red.opus.size()));
  }
  for (const RedundantFrame& red : frame.redundancy) writer.bytes(red.opus);
  writer.bytes(frame.opus);
  return std::move(writer).finish();
}

Decoded<VoiceFrame> decode_voice_frame(ByteView bytes) {
  if (bytes.size() > kMaxVoiceFrameBytes) return DecodeError::kOversized;
  ByteReader reader(bytes);
  const uint8_t flags = reader.u8();
  VoiceFrame frame;
  frame.sequence = reader.u16();
  frame.timestamp = reader.u32();
  if (reader.failed()) return reader.error();
  if ((flags >> kVersionShift) != kVersion) return DecodeError::kBadVersion;
  if (flags & kReservedBits) return DecodeError::kBadFieldValue;
  if (flags & kHasReportBit) frame.report = read_loss_report(reader);

  const size_t red_count = flags & kRedCountMask;
  if (red_count > kMaxRedundantFrames) return DecodeError::kBadFieldValue;
  uint16_t lengths[kRedCountMask] = {};
  frame.redundancy.resize(red_count);
  for (size_t i = 0; i < red_count; ++i) {
    frame.redundancy[i].timestamp_offset = reader.u16();
    lengths[i] = reader.u16();
  }
  for (size_t i = 0; i < red_count; ++i) {
    const ByteView payload = reader.bytes(lengths[i]);
    frame.redundancy[i].opus.assign(payload.begin(), payload.end());
  }
  const ByteView primary = reader.rest();
  frame.opus.assign(primary.begin(), primary.end());
  if (reader.failed()) return reader.error();
  if (auto error = check_frame(frame)) return *error;
  return frame;
}

}  // namespace koe
