#include "net/punch_messages.hpp"

#include <sodium.h>

#include <algorithm>
#include <string_view>
#include <utility>

namespace koe {

namespace {

ByteView text(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

bool valid_endpoint(const Endpoint& e) { return e.ip != 0 && e.port != 0; }

void write_endpoint(ByteWriter& writer, const Endpoint& e) {
  writer.u32(e.ip);
  writer.u16(e.port);
}

Endpoint read_endpoint(ByteReader& reader) {
  Endpoint e;
  e.ip = reader.u32();
  e.port = reader.u16();
  return e;
}

}  // namespace

std::optional<Bytes> encode_punch_offer(const PunchOffer& offer) {
  if (offer.candidates.size() > kMaxPunchCandidates) return std::nullopt;
  for (const Candidate& c : offer.candidates) {
    if (!valid_endpoint(c.endpoint)) return std::nullopt;
  }
  ByteWriter writer(1 + kPunchSecretSize + 7 + 1 + kMaxPunchCandidates * 7);
  writer.u8(kPunchOfferVersion);
  writer.bytes(offer.secret);
  writer.u8(static_cast<uint8_t>(offer.nat.mapping));
  writer.u8(static_cast<uint8_t>(offer.nat.filtering));
  writer.u8(static_cast<uint8_t>(offer.nat.allocation));
  writer.u16(static_cast<uint16_t>(offer.nat.port_step));
  writer.u16(offer.nat.last_port);
  writer.u8(static_cast<uint8_t>(offer.candidates.size()));
  for (const Candidate& c : offer.candidates) {
    writer.u8(static_cast<uint8_t>(c.kind));
    write_endpoint(writer, c.endpoint);
  }
  return std::move(writer).finish();
}

Decoded<PunchOffer> decode_punch_offer(ByteView bytes) {
  ByteReader reader(bytes);
  PunchOffer offer;
  if (reader.u8() != kPunchOfferVersion && !reader.failed()) reader.fail(DecodeError::kBadVersion);
  offer.secret = reader.array<kPunchSecretSize>();
  const uint8_t mapping = reader.u8(), filtering = reader.u8(), allocation = reader.u8();
  offer.nat.port_step = static_cast<int16_t>(reader.u16());
  offer.nat.last_port = reader.u16();
  const uint8_t count = reader.u8();
  if (reader.failed()) return reader.error();
  if (mapping > static_cast<uint8_t>(NatMapping::kEndpointDependent) ||
      filtering > static_cast<uint8_t>(NatFiltering::kDependent) ||
      allocation > static_cast<uint8_t>(PortAllocation::kRandom)) {
    return DecodeError::kBadFieldValue;
  }
  if (count > kMaxPunchCandidates) return DecodeError::kOversized;
  offer.nat.mapping = static_cast<NatMapping>(mapping);
  offer.nat.filtering = static_cast<NatFiltering>(filtering);
  offer.nat.allocation = static_cast<PortAllocation>(allocation);
  for (uint8_t i = 0; i < count; ++i) {
    const uint8_t kind = reader.u8();
    const Endpoint endpoint = read_endpoint(reader);
    if (reader.failed()) return reader.error();
    if ((kind != static_cast<uint8_t>(CandidateKind::kLan) &&
         kind != static_cast<uint8_t>(CandidateKind::kReflexive)) ||
        !valid_endpoint(endpoint)) {
      return DecodeError::kBadFieldValue;
    }
    offer.candidates.push_back({static_cast<CandidateKind>(kind), endpoint});
  }
  return reader.finish(std::move(offer));
}

std::optional<PunchKeys> derive_punch_keys(const PunchSecret& ours, const PunchSecret& theirs) {
  if (ours == theirs) return std::nullopt;
  // Sorting makes the key independent of who offered first; the order is the role.
  const bool ours_first = ours < theirs;
  const PunchSecret& first = ours_first ? ours : theirs;
  const PunchSecret& second = ours_first ? theirs : ours;
  PunchKeys keys;
  keys.mac_key = noise::hash({text("koe punch key v1"), first, second});
  const noise::Digest id = noise::hash({text("koe punch id v1"), keys.mac_key});
  for (size_t i = 0; i < 8; ++i) keys.id = (keys.id << 8) | id[i];
  keys.local_role = ours_first ? 0 : 1;
  return keys;
}

Bytes encode_punch(wire::PacketType type, const noise::Key& mac_key, const PunchMessage& message) {
  ByteWriter writer = wire::start_packet(type);
  writer.u64(message.id);
  writer.u64(message.nonce);
  writer.u8(message.role);
  write_endpoint(writer, message.endpoint);
  Bytes out = std::move(writer).finish().value();  // fixed size, far below the cap
  const noise::Mac mac = noise::keyed_mac(mac_key, out);
  out.insert(out.end(), mac.begin(), mac.end());
  return out;
}

Decoded<PunchMessage> decode_punch(wire::PacketType type, ByteView datagram) {
  auto reader = wire::open_packet(datagram, type);
  if (!reader) return reader.error();
  PunchMessage message;
  message.id = reader->u64();
  message.nonce = reader->u64();
  message.role = reader->u8();
  message.endpoint = read_endpoint(*reader);
  reader->bytes(noise::kMacSize);
  if (!reader->failed() && (message.role > 1 || !valid_endpoint(message.endpoint))) {
    reader->fail(DecodeError::kBadFieldValue);
  }
  return reader->finish(message);
}

bool punch_mac_valid(const noise::Key& mac_key, ByteView datagram) {
  if (datagram.size() != kPunchMessageSize) return false;
  const ByteView body = datagram.first(datagram.size() - noise::kMacSize);
  const noise::Mac expected = noise::keyed_mac(mac_key, body);
  return sodium_memcmp(expected.data(), datagram.data() + body.size(), noise::kMacSize) == 0;
}

}  // namespace koe
