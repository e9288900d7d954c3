#include "tests/sim/plain_key_signer.hpp"

#include <sodium.h>

#include <stdexcept>

namespace koe::sim {

PlainKeySigner::PlainKeySigner(Random& random) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  std::array<uint8_t, kSecretSeedSize> seed{};
  random.fill(seed);
  crypto_sign_seed_keypair(public_key_.data(), secret_key_.data(), seed.data());
}

Signature PlainKeySigner::sign(ByteView message) const {
  Signature signature{};
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(), secret_key_.data());
  return signature;
}

}  // namespace koe::sim
