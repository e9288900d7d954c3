#include "net/probe.hpp"

#include <utility>

namespace koe {

namespace {

// Both messages have a fixed size far below the datagram cap, so their writer
// cannot fail; value() would throw rather than send a partial datagram.
Bytes finish_fixed(ByteWriter&& writer) { return std::move(writer).finish().value(); }

bool is_answerable(const Endpoint& e) { return e.ip != 0 && e.port != 0; }

}  // namespace

Bytes encode_probe_request(const ProbeRequest& request) {
  ByteWriter writer = wire::start_packet(wire::PacketType::kProbeRequest);
  writer.u64(request.nonce);
  return finish_fixed(std::move(writer));
}

Decoded<ProbeRequest> decode_probe_request(ByteView datagram) {
  auto reader = wire::open_packet(datagram, wire::PacketType::kProbeRequest);
  if (!reader) return reader.error();
  ProbeRequest request;
  request.nonce = reader->u64();
  return reader->finish(request);
}

Bytes encode_probe_response(const ProbeResponse& response) {
  ByteWriter writer = wire::start_packet(wire::PacketType::kProbeResponse);
  writer.u64(response.nonce);
  writer.u32(response.observed.ip);
  writer.u16(response.observed.port);
  return finish_fixed(std::move(writer));
}

Decoded<ProbeResponse> decode_probe_response(ByteView datagram) {
  auto reader = wire::open_packet(datagram, wire::PacketType::kProbeResponse);
  if (!reader) return reader.error();
  ProbeResponse response;
  response.nonce = reader->u64();
  response.observed.ip = reader->u32();
  response.observed.port = reader->u16();
  if (!reader->failed() && !is_answerable(response.observed)) {
    reader->fail(DecodeError::kBadFieldValue);
  }
  return reader->finish(response);
}

Decoded<Bytes> respond_to_probe(const Endpoint& from, ByteView request) {
  const auto decoded = decode_probe_request(request);
  if (!decoded) return decoded.error();
  // No UDP packet comes from port 0 or 0.0.0.0; answering would produce a
  // response its own decoder rejects.
  if (!is_answerable(from)) return DecodeError::kBadFieldValue;
  return encode_probe_response(ProbeResponse{decoded->nonce, from});
}

}  // namespace koe
