// RecordSigner: the owner's key as the index client needs it, to sign its own
// presence record. Called on the thread that owns the IndexClient; the signer
// owns (or borrows, for IdentitySigner) the secret key.
#pragma once

#include "net/bytes.hpp"
#include "net/identity.hpp"

namespace koe {

class RecordSigner {
 public:
  virtual ~RecordSigner() = default;
  virtual const PublicKey& public_key() const = 0;
  virtual Signature sign(ByteView message) const = 0;
};

// The node's own Identity (the real node); borrows it, so it must outlive the signer.
class IdentitySigner final : public RecordSigner {
 public:
  explicit IdentitySigner(const Identity& identity) : identity_(identity) {}
  const PublicKey& public_key() const override { return identity_.public_key(); }
  Signature sign(ByteView message) const override { return identity_.sign(message); }

 private:
  const Identity& identity_;
};

}  // namespace koe
