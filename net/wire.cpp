#include "net/wire.hpp"

namespace koe::wire {

std::string_view packet_type_name(PacketType type) {
  switch (type) {
    case PacketType::kProbeRequest: return "probe_request";
    case PacketType::kProbeResponse: return "probe_response";
    case PacketType::kProbeRedirect: return "probe_redirect";
    case PacketType::kProbeForward: return "probe_forward";
    case PacketType::kUpstreamTrain: return "upstream_train";
    case PacketType::kUpstreamReport: return "upstream_report";
    case PacketType::kHandshakeInitiation: return "handshake_initiation";
    case PacketType::kHandshakeResponse: return "handshake_response";
    case PacketType::kCookieReply: return "cookie_reply";
    case PacketType::kSessionData: return "session_data";
    case PacketType::kIndexRequest: return "index_request";
    case PacketType::kIndexResponse: return "index_response";
    case PacketType::kPunchProbe: return "punch_probe";
    case PacketType::kPunchAck: return "punch_ack";
    case PacketType::kRelayControl: return "relay_control";
    case PacketType::kRelayFrame: return "relay_frame";
  }
  return "unknown";
}

bool is_known_packet_type(uint8_t value) {
  // The switch above is the one list; a value is known when it has a name.
  return packet_type_name(static_cast<PacketType>(value)) != "unknown";
}

std::array<uint8_t, kHeaderSize> encode_header(PacketType type) {
  return {kMagic, kProtocolVersion, static_cast<uint8_t>(type)};
}

Decoded<PacketView> decode_header(ByteView datagram) {
  if (datagram.size() > kMaxDatagramSize) return DecodeError::kOversized;
  if (datagram.size() < kHeaderSize) return DecodeError::kTruncated;
  if (datagram[0] != kMagic) return DecodeError::kBadMagic;
  if (datagram[1] != kProtocolVersion) return DecodeError::kBadVersion;
  if (!is_known_packet_type(datagram[2])) return DecodeError::kUnknownType;
  return PacketView{static_cast<PacketType>(datagram[2]), datagram.subspan(kHeaderSize)};
}

ByteWriter start_packet(PacketType type) {
  ByteWriter writer(kMaxDatagramSize);
  writer.bytes(encode_header(type));
  return writer;
}

Decoded<ByteReader> open_packet(ByteView datagram, PacketType expected) {
  const auto packet = decode_header(datagram);
  if (!packet) return packet.error();
  if (packet->type != expected) return DecodeError::kWrongType;
  return ByteReader(packet->body);
}

}  // namespace koe::wire
