// Identity: a node's Ed25519 key pair and its self-certifying NodeId (BLAKE2b-160
// of the public key). Any thread may call the const members; Identity owns its secret.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "net/bytes.hpp"
#include "net/env.hpp"

namespace koe {

inline constexpr size_t kNodeIdSize = 20;         // 160 bits, the index overlay's key space
inline constexpr size_t kPublicKeySize = 32;      // crypto_sign_PUBLICKEYBYTES
inline constexpr size_t kSecretKeySize = 64;      // crypto_sign_SECRETKEYBYTES (seed || public)
inline constexpr size_t kSecretSeedSize = 32;     // crypto_sign_SEEDBYTES
inline constexpr size_t kSignatureSize = 64;      // crypto_sign_BYTES

using PublicKey = std::array<uint8_t, kPublicKeySize>;
using Signature = std::array<uint8_t, kSignatureSize>;

struct NodeId {
  std::array<uint8_t, kNodeIdSize> bytes{};

  // Byte-wise (big-endian) order, so comparing two XOR distances compares them as numbers.
  friend auto operator<=>(const NodeId&, const NodeId&) = default;

  // 40 lowercase hex digits, for logs.
  std::string to_hex() const;
};

// The Kademlia-style distance between two IDs: a NodeId whose order is numeric order.
NodeId xor_distance(const NodeId& a, const NodeId& b);

// The ID anyone can recompute from a public key, so a claimed ID can be checked.
NodeId node_id_from_public_key(const PublicKey& public_key);

class Identity {
 public:
  // A new key pair from `random` (SystemRandom in production; seeded only in tests).
  static Identity generate(Random& random);
  // The key pair determined by a 32-byte Ed25519 seed (what the profile stores).
  static Identity from_seed(std::span<const uint8_t, kSecretSeedSize> seed);

  const PublicKey& public_key() const { return public_key_; }
  const NodeId& node_id() const { return node_id_; }
  // Views into guarded memory owned by this Identity (valid while it lives).
  ByteView secret_seed() const;
  ByteView secret_key() const;  // libsodium's 64-byte form, as crypto_sign_* expect

  Signature sign(ByteView message) const;
  static bool verify(const PublicKey& public_key, ByteView message, const Signature& signature);

 private:
  // The secret lives in sodium_malloc'd memory (guard pages, read-only after
  // creation) and is zeroed by sodium_free.
  struct SodiumFree {
    void operator()(uint8_t* p) const;
  };
  using SecretKey = std::unique_ptr<uint8_t[], SodiumFree>;

  explicit Identity(SecretKey secret_key);

  SecretKey secret_key_;
  PublicKey public_key_{};
  NodeId node_id_;
};

}  // namespace koe

template <>
struct std::hash<koe::NodeId> {
  // NodeIds are hash outputs already: any 8 of their bytes are uniform.
  size_t operator()(const koe::NodeId& id) const noexcept {
    size_t h = 0;
    std::memcpy(&h, id.bytes.data(), sizeof h);
    return h;
  }
};
