#include "net/handshake_messages.hpp"

namespace koe {

namespace {

// The handshake messages have fixed layouts far below kMaxDatagramSize, so the
// writer cannot fail; finish() is still checked.
Bytes finish_or_empty(ByteWriter&& writer) {
  auto bytes = std::move(writer).finish();
  return bytes ? std::move(*bytes) : Bytes{};
}

// The data path appends to a buffer it seals into, without a ByteWriter.
void append_u32(uint32_t value, Bytes& out) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(value >> shift));
}

}  // namespace

Bytes encode(const HandshakeInitiation& message) {
  ByteWriter w = wire::start_packet(wire::PacketType::kHandshakeInitiation);
  w.u32(message.sender_index);
  w.bytes(message.ephemeral);
  w.bytes(message.encrypted_static);
  w.bytes(message.encrypted_timestamp);
  w.bytes(message.mac1);
  w.bytes(message.mac2);
  return finish_or_empty(std::move(w));
}

Bytes encode(const HandshakeResponse& message) {
  ByteWriter w = wire::start_packet(wire::PacketType::kHandshakeResponse);
  w.u32(message.sender_index);
  w.u32(message.receiver_index);
  w.bytes(message.ephemeral);
  w.bytes(message.encrypted_nothing);
  w.bytes(message.mac1);
  w.bytes(message.mac2);
  return finish_or_empty(std::move(w));
}

Bytes encode(const CookieReply& message) {
  ByteWriter w = wire::start_packet(wire::PacketType::kCookieReply);
  w.u32(message.receiver_index);
  w.bytes(message.nonce);
  w.bytes(message.encrypted_cookie);
  return finish_or_empty(std::move(w));
}

Bytes session_data_prefix(uint32_t receiver_index) {
  Bytes out;
  out.reserve(wire::kMaxDatagramSize);
  const auto header = wire::encode_header(wire::PacketType::kSessionData);
  out.assign(header.begin(), header.end());
  append_u32(receiver_index, out);
  return out;
}

void append_frame_counter(uint32_t counter_low, Bytes& out) { append_u32(counter_low, out); }

Bytes encode(const SealedFrame& frame) {
  Bytes out;
  out.reserve(kCounterWireSize + frame.ciphertext.size());
  append_frame_counter(frame.counter_low, out);
  out.insert(out.end(), frame.ciphertext.begin(), frame.ciphertext.end());
  return out;
}

Bytes encode(const SessionData& message) {
  Bytes out = session_data_prefix(message.receiver_index);
  out.insert(out.end(), message.sealed_frame.begin(), message.sealed_frame.end());
  return out;
}

Decoded<HandshakeInitiation> decode_handshake_initiation(ByteView datagram) {
  auto reader = wire::open_packet(datagram, wire::PacketType::kHandshakeInitiation);
  if (!reader) return reader.error();
  ByteReader& r = *reader;
  HandshakeInitiation m;
  m.sender_index = r.u32();
  m.ephemeral = r.array<noise::kKeySize>();
  m.encrypted_static = r.array<noise::kKeySize + noise::kTagSize>();
  m.encrypted_timestamp = r.array<kTimestampSize + noise::kTagSize>();
  m.mac1 = r.array<noise::kMacSize>();
  m.mac2 = r.array<noise::kMacSize>();
  return r.finish(m);
}

Decoded<HandshakeResponse> decode_handshake_response(ByteView datagram) {
  auto reader = wire::open_packet(datagram, wire::PacketType::kHandshakeResponse);
  if (!reader) return reader.error();
  ByteReader& r = *reader;
  HandshakeResponse m;
  m.sender_index = r.u32();
  m.receiver_index = r.u32();
  m.ephemeral = r.array<noise::kKeySize>();
  m.encrypted_nothing = r.array<noise::kTagSize>();
  m.mac1 = r.array<noise::kMacSize>();
  m.mac2 = r.array<noise::kMacSize>();
  return r.finish(m);
}

Decoded<CookieReply> decode_cookie_reply(ByteView datagram) {
  auto reader = wire::open_packet(datagram, wire::PacketType::kCookieReply);
  if (!reader) return reader.error();
  ByteReader& r = *reader;
  CookieReply m;
  m.receiver_index = r.u32();
  m.nonce = r.array<kCookieNonceSize>();
  m.encrypted_cookie = r.array<noise::kMacSize + noise::kTagSize>();
  return r.finish(m);
}

Decoded<SessionData> decode_session_data(ByteView datagram) {
  auto reader = wire::open_packet(datagram, wire::PacketType::kSessionData);
  if (!reader) return reader.error();
  ByteReader& r = *reader;
  SessionData m;
  m.receiver_index = r.u32();
  if (r.remaining() < kSealedFrameOverhead) r.fail(DecodeError::kTruncated);
  m.sealed_frame = r.rest();
  return r.finish(m);
}

Decoded<SealedFrame> decode_sealed_frame(ByteView frame) {
  if (frame.size() > wire::kMaxDatagramSize) return DecodeError::kOversized;
  ByteReader r(frame);
  SealedFrame f;
  f.counter_low = r.u32();
  if (r.remaining() < noise::kTagSize) r.fail(DecodeError::kTruncated);
  f.ciphertext = r.rest();
  return r.finish(f);
}

}  // namespace koe
