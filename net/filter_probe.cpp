#include "net/filter_probe.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace koe {

namespace {

// Fixed sizes far below the datagram cap: the writer cannot fail, and value()
// would throw rather than send a partial datagram.
Bytes finish_fixed(ByteWriter&& writer) { return std::move(writer).finish().value(); }

}  // namespace

Bytes encode_probe_redirect(const ProbeRedirect& redirect) {
  ByteWriter writer = wire::start_packet(wire::PacketType::kProbeRedirect);
  writer.u64(redirect.nonce);
  writer.bytes(std::array<uint8_t, kProbeRedirectPadding>{});
  return finish_fixed(std::move(writer));
}

Decoded<ProbeRedirect> decode_probe_redirect(ByteView datagram) {
  auto reader = wire::open_packet(datagram, wire::PacketType::kProbeRedirect);
  if (!reader) return reader.error();
  ProbeRedirect redirect;
  redirect.nonce = reader->u64();
  const ByteView padding = reader->bytes(kProbeRedirectPadding);
  // Zero padding keeps the encoding canonical (one byte string per message).
  if (!reader->failed() && std::any_of(padding.begin(), padding.end(), [](uint8_t b) { return b != 0; })) {
    reader->fail(DecodeError::kBadFieldValue);
  }
  return reader->finish(redirect);
}

Bytes encode_probe_forward(const ProbeForward& forward) {
  ByteWriter writer = wire::start_packet(wire::PacketType::kProbeForward);
  writer.u64(forward.nonce);
  writer.u32(forward.target.ip);
  writer.u16(forward.target.port);
  return finish_fixed(std::move(writer));
}

Decoded<ProbeForward> decode_probe_forward(ByteView datagram) {
  auto reader = wire::open_packet(datagram, wire::PacketType::kProbeForward);
  if (!reader) return reader.error();
  ProbeForward forward;
  forward.nonce = reader->u64();
  forward.target.ip = reader->u32();
  forward.target.port = reader->u16();
  if (!reader->failed() && (forward.target.ip == 0 || forward.target.port == 0)) {
    reader->fail(DecodeError::kBadFieldValue);
  }
  return reader->finish(forward);
}

}  // namespace koe
