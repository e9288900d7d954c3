// Hole-punch messages (owner of wire::PacketType::kPunchProbe and kPunchAck) and the
// punch offer two peers exchange through their supernodes (candidates, NAT profile
// and a fresh secret), plus the key both derive from the two offers' secrets.
// Plain values and pure functions (sans-IO); any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "net/bytes.hpp"
#include "net/decode_result.hpp"
#include "net/nat_types.hpp"
#include "net/noise.hpp"
#include "net/wire.hpp"

namespace koe {

// --- The offer (carried signed and sealed by the caller's signalling, not a datagram).

inline constexpr uint8_t kPunchOfferVersion = 1;
inline constexpr size_t kPunchSecretSize = 32;
inline constexpr size_t kMaxPunchCandidates = 8;
using PunchSecret = std::array<uint8_t, kPunchSecretSize>;

struct PunchOffer {
  PunchSecret secret{};  // fresh random bytes per attempt; keys the punch MACs
  NatProfile nat;
  std::vector<Candidate> candidates;  // at most kMaxPunchCandidates, none at 0.0.0.0 or port 0
  friend bool operator==(const PunchOffer&, const PunchOffer&) = default;
};

// Layout (big-endian): version u8, secret 32, mapping u8, filtering u8, allocation u8,
// port_step i16 (two's complement), last_port u16, count u8, then per candidate:
// kind u8, ip u32, port u16. nullopt when the offer breaks a limit above.
std::optional<Bytes> encode_punch_offer(const PunchOffer& offer);
Decoded<PunchOffer> decode_punch_offer(ByteView bytes);

// --- Keys: both sides derive the same MAC key and attempt id from the two secrets.

struct PunchKeys {
  noise::Key mac_key{};
  uint64_t id = 0;         // names the attempt in every probe (routes it to its HolePunch)
  uint8_t local_role = 0;  // 0 or 1: whose secret sorts first; stamped in our messages
};

// nullopt when the secrets are equal (our own offer reflected back at us).
std::optional<PunchKeys> derive_punch_keys(const PunchSecret& ours, const PunchSecret& theirs);

// --- Probe and ack datagrams.

// Layout after the common header, big-endian: id u64, nonce u64, role u8, ip u32,
// port u16, mac 16 (keyed BLAKE2b-128 over everything before it). 42 bytes in all,
// the same for both types: an ack never amplifies the probe it answers.
struct PunchMessage {
  uint64_t id = 0;
  uint64_t nonce = 0;  // random per probe; an ack echoes its probe's nonce
  uint8_t role = 0;    // the sender's PunchKeys::local_role
  // Probe: the endpoint it was sent to. Ack: the probe's source as the acker saw it.
  Endpoint endpoint;
  friend bool operator==(const PunchMessage&, const PunchMessage&) = default;
};

inline constexpr size_t kPunchMessageSize = wire::kHeaderSize + 8 + 8 + 1 + 4 + 2 + noise::kMacSize;

// `type` is kPunchProbe or kPunchAck.
Bytes encode_punch(wire::PacketType type, const noise::Key& mac_key, const PunchMessage& message);
// Layout only (the MAC is not checked): enough to route by id. Role must be 0 or 1,
// the endpoint non-zero.
Decoded<PunchMessage> decode_punch(wire::PacketType type, ByteView datagram);
// True when the datagram's trailing MAC is valid under `mac_key` (constant time).
bool punch_mac_valid(const noise::Key& mac_key, ByteView datagram);

}  // namespace koe
