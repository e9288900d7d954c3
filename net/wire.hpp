// The one list of Koe's own packet types, the protocol version and the common
// header every one of our datagrams starts with. Exactly one module owns (encodes
// and decodes) each type; it is named beside the type.
// Constants and pure functions; any thread.
//
// Our datagrams share the UDP socket with ENet. They are told apart by the first
// byte: ENet sets bit 0x40 of its first byte only for range-coder-compressed
// packets, which Koe's ENet hosts never enable (and drop if they see), so a
// datagram whose first byte is kMagic (which has that bit) is ours.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "net/byte_reader.hpp"
#include "net/byte_writer.hpp"
#include "net/bytes.hpp"
#include "net/decode_result.hpp"

namespace koe::wire {

inline constexpr uint8_t kMagic = 0x4B;            // 'K', has bit 0x40 set
inline constexpr uint8_t kProtocolVersion = 1;
inline constexpr size_t kHeaderSize = 3;           // magic, version, type
// Largest datagram we send or accept: below the IPv4 minimum reassembly-free
// path MTU of typical links (1280 payload leaves room for IP/UDP and tunnels).
inline constexpr size_t kMaxDatagramSize = 1200;

enum class PacketType : uint8_t {
  // net/probe: reflexive-address probes (what endpoint does the peer see?)
  kProbeRequest = 0x01,
  kProbeResponse = 0x02,
  // net/filter_probe: the filtering test, a partner supernode probes the asker (issue 8)
  kProbeRedirect = 0x03,
  kProbeForward = 0x04,
  // net/upstream_probe: packet trains that measure a node's upstream bandwidth (issue 9)
  kUpstreamTrain = 0x05,
  kUpstreamReport = 0x06,
  // net/session_manager (codecs in net/handshake_messages): key exchange, docs/security.md
  kHandshakeInitiation = 0x10,
  kHandshakeResponse = 0x11,
  kCookieReply = 0x12,
  // net/session_manager: sealed session data outside ENet (keepalives, relayable)
  kSessionData = 0x13,
  // index/messages: Global Index RPCs between nodes and supernodes (issue 5)
  kIndexRequest = 0x20,
  kIndexResponse = 0x21,
  // net/punch_messages: hole-punch probes (issue 8)
  kPunchProbe = 0x30,
  kPunchAck = 0x31,
  // net/relay_messages: relay allocation and forwarded frames (issue 8)
  kRelayControl = 0x40,
  kRelayFrame = 0x41,
};

// Name for logs and statistics; "unknown" for values not listed above.
std::string_view packet_type_name(PacketType type);
bool is_known_packet_type(uint8_t value);

// True when `datagram` starts like one of ours (for ENet's intercept hook).
inline bool is_koe_datagram(ByteView datagram) {
  return !datagram.empty() && datagram[0] == kMagic;
}

// A datagram whose common header checked out; `body` points into the input.
struct PacketView {
  PacketType type;
  ByteView body;
};

// The common header: kMagic, kProtocolVersion, type.
std::array<uint8_t, kHeaderSize> encode_header(PacketType type);
// Checks, in this order: kOversized (> kMaxDatagramSize), kTruncated (shorter
// than the header), kBadMagic, kBadVersion, kUnknownType.
Decoded<PacketView> decode_header(ByteView datagram);

// For the module that owns `type`: a writer capped at kMaxDatagramSize with the
// header already written, so the encoder appends only the body.
ByteWriter start_packet(PacketType type);
// The decoding mirror: checks the header as decode_header does, then that the
// type is `expected` (kWrongType otherwise); returns a reader over the body.
Decoded<ByteReader> open_packet(ByteView datagram, PacketType expected);

}  // namespace koe::wire
