#include "net/identity.hpp"

#include <sodium.h>

#include <new>
#include <stdexcept>

namespace koe {

namespace {

static_assert(kPublicKeySize == crypto_sign_PUBLICKEYBYTES);
static_assert(kSecretKeySize == crypto_sign_SECRETKEYBYTES);
static_assert(kSecretSeedSize == crypto_sign_SEEDBYTES);
static_assert(kSignatureSize == crypto_sign_BYTES);
static_assert(kNodeIdSize >= crypto_generichash_BYTES_MIN && kNodeIdSize <= crypto_generichash_BYTES_MAX);

void ensure_sodium() {
  // Idempotent and thread-safe; sodium_malloc needs it to know the page size.
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace

std::string NodeId::to_hex() const {
  char hex[kNodeIdSize * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes.data(), bytes.size());
  return hex;
}

NodeId xor_distance(const NodeId& a, const NodeId& b) {
  NodeId d;
  for (size_t i = 0; i < kNodeIdSize; ++i) d.bytes[i] = a.bytes[i] ^ b.bytes[i];
  return d;
}

NodeId node_id_from_public_key(const PublicKey& public_key) {
  ensure_sodium();
  NodeId id;
  crypto_generichash(id.bytes.data(), id.bytes.size(), public_key.data(), public_key.size(), nullptr, 0);
  return id;
}

void Identity::SodiumFree::operator()(uint8_t* p) const { sodium_free(p); }

Identity::Identity(SecretKey secret_key) : secret_key_(std::move(secret_key)) {
  crypto_sign_ed25519_sk_to_pk(public_key_.data(), secret_key_.get());
  node_id_ = node_id_from_public_key(public_key_);
  sodium_mprotect_readonly(secret_key_.get());
}

Identity Identity::generate(Random& random) {
  ensure_sodium();
  SecretKey seed(static_cast<uint8_t*>(sodium_malloc(kSecretSeedSize)));
  if (!seed) throw std::bad_alloc();
  random.fill({seed.get(), kSecretSeedSize});
  return from_seed(std::span<const uint8_t, kSecretSeedSize>(seed.get(), kSecretSeedSize));
}

Identity Identity::from_seed(std::span<const uint8_t, kSecretSeedSize> seed) {
  ensure_sodium();
  SecretKey secret_key(static_cast<uint8_t*>(sodium_malloc(kSecretKeySize)));
  if (!secret_key) throw std::bad_alloc();
  PublicKey public_key;
  crypto_sign_seed_keypair(public_key.data(), secret_key.get(), seed.data());
  return Identity(std::move(secret_key));
}

ByteView Identity::secret_seed() const { return {secret_key_.get(), kSecretSeedSize}; }

ByteView Identity::secret_key() const { return {secret_key_.get(), kSecretKeySize}; }

Signature Identity::sign(ByteView message) const {
  Signature signature;
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(), secret_key_.get());
  return signature;
}

bool Identity::verify(const PublicKey& public_key, ByteView message, const Signature& signature) {
  ensure_sodium();
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(), public_key.data()) == 0;
}

}  // namespace koe
