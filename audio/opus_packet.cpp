#include "audio/opus_packet.hpp"

#include <opus/opus.h>

#include <algorithm>

namespace koe {

std::optional<PayloadInfo> inspect_opus_packet(ByteView packet) {
  if (packet.empty() || packet.size() > kMaxOpusPacketBytes) return std::nullopt;
  const auto length = static_cast<opus_int32>(packet.size());

  const unsigned char* frames[48];
  opus_int16 frame_sizes[48];
  const int frame_count =
      opus_packet_parse(packet.data(), length, nullptr, frames, frame_sizes, nullptr);
  if (frame_count < 1) return std::nullopt;
  const int samples = opus_packet_get_nb_samples(packet.data(), length, kSampleRate);
  if (samples <= 0 || samples > kMaxFrameSamples) return std::nullopt;

  PayloadInfo info;
  info.samples = samples;
  const int config = packet[0] >> 3;  // TOC: configs 16..31 are CELT-only (no SILK layer)
  if (config >= 16) return info;      // CELT carries no VAD or LBRR flags: assume speech
  if (frame_sizes[0] == 0) {          // TOC only: the encoder's DTX marker
    info.voice_active = false;
    return info;
  }
  // A SILK frame starts with one VAD flag per 20 ms sub-frame (a 10 ms packet has one),
  // then the LBRR (in-band FEC) flag, each coded with probability 1/2, so they are the
  // first bits of the range coder's first byte (as opus_packet_has_lbrr in libopus 1.5).
  const int samples_per_frame = opus_packet_get_samples_per_frame(packet.data(), kSampleRate);
  const int silk_frames = std::max(1, samples_per_frame / (kSampleRate / 50));
  const uint8_t first = frames[0][0];
  info.voice_active = (first >> 7) & 1;
  info.carries_fec = (first >> (7 - silk_frames)) & 1;
  if (opus_packet_get_nb_channels(packet.data()) == 2)  // the side channel's LBRR flag
    info.carries_fec = info.carries_fec || ((first >> (6 - 2 * silk_frames)) & 1);
  return info;
}

}  // namespace koe
