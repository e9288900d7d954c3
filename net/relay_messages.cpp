#include "net/relay_messages.hpp"

#include <string_view>
#include <utility>

namespace koe {

namespace {

constexpr std::string_view kAllocateContext = "koe relay allocate v1";

bool valid_endpoint(const Endpoint& e) { return e.ip != 0 && e.port != 0; }

struct Encoder {
  ByteWriter& w;
  void operator()(const RelayPing& m) const {
    w.u8(static_cast<uint8_t>(RelayControlKind::kPing));
    w.u64(m.nonce);
  }
  void operator()(const RelayPong& m) const {
    w.u8(static_cast<uint8_t>(RelayControlKind::kPong));
    w.u64(m.nonce);
    w.u8(m.load_percent);
  }
  void operator()(const RelayAllocate& m) const {
    fields(m);
    w.bytes(m.signature);
  }
  void operator()(const RelayAllocated& m) const {
    w.u8(static_cast<uint8_t>(RelayControlKind::kAllocated));
    w.u64(m.nonce);
    w.u32(m.session_id);
    w.u16(m.idle_timeout_s);
    w.bytes(m.tickets[0]);
    w.bytes(m.tickets[1]);
  }
  void operator()(const RelayRefused& m) const {
    w.u8(static_cast<uint8_t>(RelayControlKind::kRefused));
    w.u64(m.nonce);
    w.u8(static_cast<uint8_t>(m.reason));
  }
  void operator()(const RelayBind& m) const {
    w.u8(static_cast<uint8_t>(RelayControlKind::kBind));
    w.u32(m.session_id);
    w.u8(m.side);
    w.bytes(m.ticket);
  }
  void operator()(const RelayBound& m) const {
    w.u8(static_cast<uint8_t>(RelayControlKind::kBound));
    w.u32(m.session_id);
    w.u8(m.side);
    w.u32(m.peer_idle_ms);
  }
  void operator()(const RelayUnbound& m) const {
    w.u8(static_cast<uint8_t>(RelayControlKind::kUnbound));
    w.u32(m.session_id);
    w.u8(m.side);
  }
  void operator()(const RelayRelease& m) const {
    w.u8(static_cast<uint8_t>(RelayControlKind::kRelease));
    w.u32(m.session_id);
    w.u8(m.side);
    w.bytes(m.ticket);
  }
  // Everything an allocate's signature covers after the context and relay endpoint.
  void fields(const RelayAllocate& m) const {
    w.u8(static_cast<uint8_t>(RelayControlKind::kAllocate));
    w.u64(m.nonce);
    w.u64(m.timestamp_us);
    w.bytes(m.requester);
  }
};

// A side byte is 0 or 1; anything else is not a side.
uint8_t read_side(ByteReader& r) {
  const uint8_t side = r.u8();
  if (!r.failed() && side > 1) r.fail(DecodeError::kBadFieldValue);
  return side;
}

Decoded<RelayControl> decode_kind(RelayControlKind kind, ByteReader& r) {
  switch (kind) {
    case RelayControlKind::kPing: {
      RelayPing m;
      m.nonce = r.u64();
      return r.finish(RelayControl{m});
    }
    case RelayControlKind::kPong: {
      RelayPong m;
      m.nonce = r.u64();
      m.load_percent = r.u8();
      if (!r.failed() && m.load_percent > 100) r.fail(DecodeError::kBadFieldValue);
      return r.finish(RelayControl{m});
    }
    case RelayControlKind::kAllocate: {
      RelayAllocate m;
      m.nonce = r.u64();
      m.timestamp_us = r.u64();
      m.requester = r.array<kPublicKeySize>();
      m.signature = r.array<kSignatureSize>();
      return r.finish(RelayControl{m});
    }
    case RelayControlKind::kAllocated: {
      RelayAllocated m;
      m.nonce = r.u64();
      m.session_id = r.u32();
      m.idle_timeout_s = r.u16();
      m.tickets[0] = r.array<kRelayTicketSize>();
      m.tickets[1] = r.array<kRelayTicketSize>();
      return r.finish(RelayControl{m});
    }
    case RelayControlKind::kRefused: {
      RelayRefused m;
      m.nonce = r.u64();
      const uint8_t reason = r.u8();
      if (!r.failed() && (reason < 1 || reason > static_cast<uint8_t>(RelayRefusal::kBadSignature))) {
        r.fail(DecodeError::kBadFieldValue);
      }
      m.reason = static_cast<RelayRefusal>(reason);
      return r.finish(RelayControl{m});
    }
    case RelayControlKind::kBind: {
      RelayBind m;
      m.session_id = r.u32();
      m.side = read_side(r);
      m.ticket = r.array<kRelayTicketSize>();
      return r.finish(RelayControl{m});
    }
    case RelayControlKind::kBound: {
      RelayBound m;
      m.session_id = r.u32();
      m.side = read_side(r);
      m.peer_idle_ms = r.u32();
      return r.finish(RelayControl{m});
    }
    case RelayControlKind::kUnbound: {
      RelayUnbound m;
      m.session_id = r.u32();
      m.side = read_side(r);
      return r.finish(RelayControl{m});
    }
    case RelayControlKind::kRelease: {
      RelayRelease m;
      m.session_id = r.u32();
      m.side = read_side(r);
      m.ticket = r.array<kRelayTicketSize>();
      return r.finish(RelayControl{m});
    }
  }
  return DecodeError::kBadFieldValue;
}

}  // namespace

Bytes encode_relay_control(const RelayControl& message) {
  ByteWriter writer = wire::start_packet(wire::PacketType::kRelayControl);
  std::visit(Encoder{writer}, message);
  return std::move(writer).finish().value();  // every kind is far below the cap
}

Decoded<RelayControl> decode_relay_control(ByteView datagram) {
  auto reader = wire::open_packet(datagram, wire::PacketType::kRelayControl);
  if (!reader) return reader.error();
  const uint8_t kind = reader->u8();
  if (reader->failed()) return reader->error();
  if (kind < static_cast<uint8_t>(RelayControlKind::kPing) || kind > static_cast<uint8_t>(RelayControlKind::kRelease)) {
    return DecodeError::kBadFieldValue;
  }
  return decode_kind(static_cast<RelayControlKind>(kind), *reader);
}

Bytes relay_allocate_signed_bytes(const Endpoint& relay, const RelayAllocate& allocate) {
  ByteWriter writer(kAllocateContext.size() + 6 + 64);
  writer.bytes({reinterpret_cast<const uint8_t*>(kAllocateContext.data()), kAllocateContext.size()});
  writer.u32(relay.ip);
  writer.u16(relay.port);
  Encoder{writer}.fields(allocate);
  return std::move(writer).finish().value();
}

RelayAllocate sign_relay_allocate(const Identity& identity, const Endpoint& relay, uint64_t nonce,
                                  uint64_t timestamp_us) {
  RelayAllocate allocate;
  allocate.nonce = nonce;
  allocate.timestamp_us = timestamp_us;
  allocate.requester = identity.public_key();
  allocate.signature = identity.sign(relay_allocate_signed_bytes(relay, allocate));
  return allocate;
}

bool relay_allocate_signature_valid(const Endpoint& relay, const RelayAllocate& allocate) {
  return Identity::verify(allocate.requester, relay_allocate_signed_bytes(relay, allocate), allocate.signature);
}

std::optional<Bytes> encode_relay_frame(uint32_t session_id, ByteView payload) {
  if (payload.empty() || payload.size() > kMaxRelayPayload) return std::nullopt;
  ByteWriter writer = wire::start_packet(wire::PacketType::kRelayFrame);
  writer.u32(session_id);
  writer.bytes(payload);
  return std::move(writer).finish();
}

Decoded<RelayFrame> decode_relay_frame(ByteView datagram) {
  auto reader = wire::open_packet(datagram, wire::PacketType::kRelayFrame);
  if (!reader) return reader.error();
  RelayFrame frame;
  frame.session_id = reader->u32();
  if (reader->failed()) return reader->error();
  if (reader->remaining() == 0) return DecodeError::kTruncated;
  frame.payload = reader->rest();
  return frame;
}

std::optional<Bytes> encode_relay_tickets(const std::vector<RelayTicket>& tickets) {
  if (tickets.size() > kMaxRelayTickets) return std::nullopt;
  ByteWriter writer(1 + kMaxRelayTickets * (4 + 2 + 4 + 1 + kRelayTicketSize));
  writer.u8(static_cast<uint8_t>(tickets.size()));
  for (const RelayTicket& t : tickets) {
    if (!valid_endpoint(t.relay) || t.side > 1) return std::nullopt;
    writer.u32(t.relay.ip);
    writer.u16(t.relay.port);
    writer.u32(t.session_id);
    writer.u8(t.side);
    writer.bytes(t.ticket);
  }
  return std::move(writer).finish();
}

Decoded<std::vector<RelayTicket>> decode_relay_tickets(ByteView bytes) {
  ByteReader reader(bytes);
  const uint8_t count = reader.u8();
  if (reader.failed()) return reader.error();
  if (count > kMaxRelayTickets) return DecodeError::kOversized;
  std::vector<RelayTicket> tickets;
  for (uint8_t i = 0; i < count; ++i) {
    RelayTicket t;
    t.relay.ip = reader.u32();
    t.relay.port = reader.u16();
    t.session_id = reader.u32();
    t.side = read_side(reader);
    t.ticket = reader.array<kRelayTicketSize>();
    if (reader.failed()) return reader.error();
    if (!valid_endpoint(t.relay)) return DecodeError::kBadFieldValue;
    tickets.push_back(t);
  }
  return reader.finish(std::move(tickets));
}

}  // namespace koe
