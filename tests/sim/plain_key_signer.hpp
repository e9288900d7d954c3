// PlainKeySigner: a RecordSigner whose Ed25519 key lives in ordinary memory,
// derived from a seeded random stream. For the simulator only: a million
// Identity objects (each in guard-paged sodium_malloc memory) would exhaust the
// process's memory mappings, and simulated keys protect nothing.
// Simulation thread only; owns its key.
#pragma once

#include <array>

#include "index/record_signer.hpp"
#include "net/env.hpp"

namespace koe::sim {

class PlainKeySigner final : public RecordSigner {
 public:
  explicit PlainKeySigner(Random& random);
  const PublicKey& public_key() const override { return public_key_; }
  Signature sign(ByteView message) const override;

 private:
  PublicKey public_key_{};
  std::array<uint8_t, kSecretKeySize> secret_key_{};
};

}  // namespace koe::sim
