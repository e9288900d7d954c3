// Noise building blocks for the secure-session handshake: SHA-256 hash, HMAC-SHA-256
// HKDF, X25519, ChaCha20-Poly1305 with a counter nonce, and the symmetric state.
// Pure functions and plain values; any thread. Callers own every buffer.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>

#include "net/bytes.hpp"

namespace koe::noise {

inline constexpr size_t kKeySize = 32;  // ChaCha20-Poly1305 key, X25519 keys, SHA-256 output
inline constexpr size_t kTagSize = 16;  // Poly1305 tag
inline constexpr size_t kMacSize = 16;  // keyed BLAKE2b-128 (mac1, mac2, cookies)

using Key = std::array<uint8_t, kKeySize>;
using Digest = std::array<uint8_t, kKeySize>;
using Mac = std::array<uint8_t, kMacSize>;

// Initialises libsodium once (idempotent, thread-safe); long-lived crypto objects
// call it from their constructors. Throws std::runtime_error if libsodium cannot start.
void init_crypto();

// SHA-256 of the concatenation of `parts`.
Digest hash(std::initializer_list<ByteView> parts);
// HMAC-SHA-256(key, concatenation of `parts`).
Digest hmac(const Digest& key, std::initializer_list<ByteView> parts);
// Keyed BLAKE2b with a 16-byte output: the cheap MAC of mac1, mac2 and cookies.
Mac keyed_mac(ByteView key, ByteView message);

// Noise HKDF (RFC 5869 with HMAC-SHA-256, salt = chaining key, no info):
// out1 = HMAC(temp, 0x01), out2 = HMAC(temp, out1 || 0x02), out3 likewise.
template <size_t N>
std::array<Digest, N> hkdf(const Digest& chaining_key, ByteView input_key_material);

// X25519 key pair (the static ones come from the Ed25519 identity, see handshake.hpp).
struct KeyPair {
  Key public_key{};
  Key secret_key{};
};
// A fresh ephemeral key pair from `seed_bytes` random bytes (the caller's Random).
KeyPair keypair_from_seed(const Key& seed_bytes);
// X25519(secret, public); nullopt when the result is all zeros (a low-order
// public key), which Noise requires us to reject.
std::optional<Key> dh(const Key& secret_key, const Key& public_key);

// ChaCha20-Poly1305 IETF, nonce = 4 zero bytes || 64-bit little-endian counter
// (as WireGuard): the counter must never repeat under one key.
// `out` must hold plaintext.size() + kTagSize bytes.
void aead_seal(const Key& key, uint64_t counter, ByteView plaintext, ByteView associated,
               std::span<uint8_t> out);
// `out` must hold ciphertext.size() - kTagSize bytes; false if the tag does not verify
// (or the ciphertext is shorter than a tag), in which case `out` is unspecified.
bool aead_open(const Key& key, uint64_t counter, ByteView ciphertext, ByteView associated,
               std::span<uint8_t> out);

// The Noise SymmetricState (chaining key, handshake hash) with its CipherState.
// Copyable value: the handshake keeps one per message in flight.
class SymmetricState {
 public:
  // InitializeSymmetric(protocol_name) then MixHash(prologue).
  SymmetricState(ByteView protocol_name, ByteView prologue);

  void mix_hash(ByteView data);
  // MixKey: (ck, k) = HKDF(ck, input); resets the nonce.
  void mix_key(ByteView input_key_material);
  // EncryptAndHash / DecryptAndHash with the current key (and nonce n++), AD = h.
  Bytes encrypt_and_hash(ByteView plaintext);
  std::optional<Bytes> decrypt_and_hash(ByteView ciphertext);
  // Split: (first, second) transport keys; the initiator sends with `first`.
  std::array<Key, 2> split() const;

  const Digest& handshake_hash() const { return h_; }
  // Zeroes the keys (called on every path that abandons a handshake).
  void wipe();

 private:
  Digest ck_{};
  Digest h_{};
  Key k_{};
  uint64_t n_ = 0;
};

}  // namespace koe::noise
