#include "index/presence_record.hpp"

#include <algorithm>
#include <utility>

#include "index/wire_fields.hpp"

namespace koe {

namespace {

constexpr std::string_view kSignatureDomain{"koe-presence-v1\0", 16};

using index_wire::is_answerable;
using index_wire::read_endpoint;
using index_wire::read_node_id;
using index_wire::write_endpoint;
using index_wire::write_node_id;

// Everything but the signature; nullopt if a field breaks a limit.
std::optional<Bytes> encode_body(const PresenceRecord& record) {
  if (record.endpoints.size() > kMaxRecordEndpoints || record.supernodes.size() > kMaxRecordSupernodes ||
      static_cast<uint8_t>(record.nat_class) > kMaxNatClass) {
    return std::nullopt;
  }
  ByteWriter w(kMaxRecordSize);
  w.u8(kRecordFormat);
  write_node_id(w, record.id);
  w.bytes(record.public_key);
  w.u64(record.sequence);
  w.u64(record.expires_at);
  w.u8(static_cast<uint8_t>(record.nat_class));
  w.u32(record.capabilities);
  w.utf8_string(record.display_name, kMaxDisplayNameBytes);
  w.u8(static_cast<uint8_t>(record.endpoints.size()));
  for (const auto& e : record.endpoints) {
    if (!is_answerable(e.endpoint)) return std::nullopt;
    w.u8(static_cast<uint8_t>(e.kind));
    write_endpoint(w, e.endpoint);
  }
  w.u8(static_cast<uint8_t>(record.supernodes.size()));
  for (const auto& s : record.supernodes) {
    if (!is_answerable(s.endpoint)) return std::nullopt;
    if (s.key && node_id_from_public_key(*s.key) != s.id) return std::nullopt;
    write_node_id(w, s.id);
    write_endpoint(w, s.endpoint);
    w.u8(s.key ? 1 : 0);
    if (s.key) w.bytes(*s.key);
  }
  return std::move(w).finish();
}

Bytes signing_message(ByteView body) {
  Bytes message(kSignatureDomain.size() + body.size());
  std::copy(kSignatureDomain.begin(), kSignatureDomain.end(), message.begin());
  std::copy(body.begin(), body.end(), message.begin() + static_cast<ptrdiff_t>(kSignatureDomain.size()));
  return message;
}

}  // namespace

std::optional<Bytes> encode_record(const PresenceRecord& record, const Signature& signature) {
  auto body = encode_body(record);
  if (!body) return std::nullopt;
  body->insert(body->end(), signature.begin(), signature.end());
  return body;
}

std::optional<Bytes> sign_record(const PresenceRecord& record, const RecordSigner& signer) {
  const auto body = encode_body(record);
  if (!body) return std::nullopt;
  return encode_record(record, signer.sign(signing_message(*body)));
}

Decoded<SignedRecord> decode_record(ByteView encoded) {
  if (encoded.size() > kMaxRecordSize) return DecodeError::kOversized;
  ByteReader r(encoded);
  SignedRecord out;
  PresenceRecord& rec = out.record;
  if (r.u8() != kRecordFormat && !r.failed()) r.fail(DecodeError::kBadFieldValue);
  rec.id = read_node_id(r);
  rec.public_key = r.array<kPublicKeySize>();
  rec.sequence = r.u64();
  rec.expires_at = r.u64();
  const uint8_t nat = r.u8();
  if (nat > kMaxNatClass) r.fail(DecodeError::kBadFieldValue);
  rec.nat_class = static_cast<NatClass>(nat);
  rec.capabilities = r.u32();
  rec.display_name = r.utf8_string(kMaxDisplayNameBytes);
  const uint8_t endpoints = r.u8();
  if (endpoints > kMaxRecordEndpoints) r.fail(DecodeError::kBadFieldValue);
  for (uint8_t i = 0; i < endpoints && !r.failed(); ++i) {
    RecordEndpoint e;
    const uint8_t kind = r.u8();
    if (kind != static_cast<uint8_t>(EndpointKind::kReflexive) && kind != static_cast<uint8_t>(EndpointKind::kLan)) {
      r.fail(DecodeError::kBadFieldValue);
    }
    e.kind = static_cast<EndpointKind>(kind);
    e.endpoint = read_endpoint(r);
    rec.endpoints.push_back(e);
  }
  const uint8_t supernodes = r.u8();
  if (supernodes > kMaxRecordSupernodes) r.fail(DecodeError::kBadFieldValue);
  for (uint8_t i = 0; i < supernodes && !r.failed(); ++i) {
    SupernodeRef s;
    s.id = read_node_id(r);
    s.endpoint = read_endpoint(r);
    const uint8_t has_key = r.u8();
    if (has_key > 1) r.fail(DecodeError::kBadFieldValue);
    if (has_key == 1) s.key = r.array<kPublicKeySize>();
    if (!r.failed() && s.key && node_id_from_public_key(*s.key) != s.id) r.fail(DecodeError::kBadFieldValue);
    rec.supernodes.push_back(s);
  }
  out.signature = r.array<kSignatureSize>();
  return r.finish(std::move(out));
}

std::string_view to_string(RecordError error) {
  switch (error) {
    case RecordError::kMalformed: return "malformed";
    case RecordError::kExpired: return "expired";
    case RecordError::kTooLongLived: return "too_long_lived";
    case RecordError::kIdMismatch: return "id_mismatch";
    case RecordError::kBadSignature: return "bad_signature";
  }
  return "invalid_record_error";
}

Expected<PresenceRecord, RecordError> verify_record(ByteView encoded, uint64_t unix_now,
                                                    uint64_t max_lifetime_seconds) {
  auto decoded = decode_record(encoded);
  if (!decoded) return Failure{RecordError::kMalformed};
  PresenceRecord& record = decoded->record;
  if (record.expires_at <= unix_now) return Failure{RecordError::kExpired};
  if (record.expires_at - unix_now > max_lifetime_seconds) return Failure{RecordError::kTooLongLived};
  if (node_id_from_public_key(record.public_key) != record.id) return Failure{RecordError::kIdMismatch};
  // The encoding is canonical, so the received bytes before the signature are
  // exactly what the owner signed.
  const ByteView body = encoded.first(encoded.size() - kSignatureSize);
  if (!Identity::verify(record.public_key, signing_message(body), decoded->signature)) {
    return Failure{RecordError::kBadSignature};
  }
  return std::move(record);
}

}  // namespace koe
