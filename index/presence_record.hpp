// Presence records: what the Global Index stores about an online user, signed by
// the owner so supernodes and readers can check it without trusting each other.
// Plain values and pure functions; any thread.
//
// Layout (big-endian; the record travels inside index messages as a byte string):
//   u8 format (1) | id [20] | public key [32] | sequence u64 | expires_at u64 (Unix s)
//   | nat class u8 | capabilities u32 | display name (u16 length, UTF-8, <= 64 bytes)
//   | endpoint count u8 (<= 4), each: kind u8, ip u32, port u16
//   | supernode count u8 (<= 3), each: id [20], ip u32, port u16
//   | signature [64]: Ed25519 over "koe-presence-v1\0" || every byte before it
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "index/record_signer.hpp"
#include "net/bytes.hpp"
#include "net/decode_result.hpp"
#include "net/endpoint.hpp"
#include "net/expected.hpp"
#include "net/identity.hpp"

namespace koe {

inline constexpr uint8_t kRecordFormat = 2;  // 2: supernode references may carry the key
inline constexpr size_t kMaxDisplayNameBytes = 64;
inline constexpr size_t kMaxRecordEndpoints = 4;
inline constexpr size_t kMaxRecordSupernodes = 3;
inline constexpr size_t kRecordEndpointSize = 1 + 4 + 2;
inline constexpr size_t kRecordSupernodeSize = kNodeIdSize + 4 + 2 + 1 + kPublicKeySize;
inline constexpr size_t kMaxRecordSize = 1 + kNodeIdSize + kPublicKeySize + 8 + 8 + 1 + 4 +
                                         (2 + kMaxDisplayNameBytes) + 1 + kMaxRecordEndpoints * kRecordEndpointSize +
                                         1 + kMaxRecordSupernodes * kRecordSupernodeSize + kSignatureSize;

// How the owner's NAT behaves (RFC 4787 terms), so callers pick a way to connect.
enum class NatClass : uint8_t {
  kUnknown = 0,
  kOpen = 1,             // public address, no NAT
  kFullCone = 2,         // endpoint-independent mapping and filtering
  kRestricted = 3,       // endpoint-independent mapping, address-dependent filtering
  kPortRestricted = 4,   // endpoint-independent mapping, address-and-port-dependent filtering
  kSymmetric = 5,        // address(-and-port)-dependent mapping: needs a relay
};
inline constexpr uint8_t kMaxNatClass = 5;

enum class EndpointKind : uint8_t {
  kReflexive = 1,  // the public endpoint a supernode observed
  kLan = 2,        // the node's own (possibly private) endpoint
};

struct RecordEndpoint {
  EndpointKind kind = EndpointKind::kReflexive;
  Endpoint endpoint;
  friend bool operator==(const RecordEndpoint&, const RecordEndpoint&) = default;
};

// A supernode the owner is attached to: calls to the owner go through it.
struct SupernodeRef {
  NodeId id;
  Endpoint endpoint;
  // Its identity key (id derives from it), so a caller opens a session with it to pass
  // an introduction without first looking up its record.
  std::optional<PublicKey> key;
  friend bool operator==(const SupernodeRef&, const SupernodeRef&) = default;
};

struct PresenceRecord {
  NodeId id;  // must equal node_id_from_public_key(public_key)
  PublicKey public_key{};
  uint64_t sequence = 0;    // a newer record has a larger sequence
  uint64_t expires_at = 0;  // Unix seconds; nobody serves the record after it
  NatClass nat_class = NatClass::kUnknown;
  uint32_t capabilities = 0;  // feature bits, meaning owned by the app
  std::string display_name;   // UTF-8 without U+0000, <= kMaxDisplayNameBytes
  std::vector<RecordEndpoint> endpoints;
  std::vector<SupernodeRef> supernodes;
  friend bool operator==(const PresenceRecord&, const PresenceRecord&) = default;
};

// A record as decoded, before anyone checked its signature.
struct SignedRecord {
  PresenceRecord record;
  Signature signature{};
};

// The canonical encoding with `signature` appended; nullopt if a field breaks a limit.
std::optional<Bytes> encode_record(const PresenceRecord& record, const Signature& signature);
// Encodes and signs (the owner's side); nullopt if a field breaks a limit.
std::optional<Bytes> sign_record(const PresenceRecord& record, const RecordSigner& signer);
// Structure and field limits only (no signature check).
Decoded<SignedRecord> decode_record(ByteView encoded);

enum class RecordError : uint8_t {
  kMalformed,      // does not decode
  kExpired,        // expires_at is not after the reader's clock
  kTooLongLived,   // expires_at further ahead than the reader accepts
  kIdMismatch,     // id is not derived from the public key
  kBadSignature,
};
std::string_view to_string(RecordError error);

// The reader's checks, cheapest first: structure, time, id, signature. `unix_now` is
// the reader's wall clock; `max_lifetime_seconds` bounds how far ahead expires_at may be.
Expected<PresenceRecord, RecordError> verify_record(ByteView encoded, uint64_t unix_now,
                                                    uint64_t max_lifetime_seconds);

}  // namespace koe
