// The secure-session handshake, Noise_IK over X25519 / ChaCha20-Poly1305 / SHA-256,
// whose static keys are the nodes' Ed25519 identity keys (see docs/security.md):
// message construction and consumption only, no timers or I/O (PeerSession drives
// retransmission). Values owned by their holder; any single thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "net/clock.hpp"
#include "net/drop_counters.hpp"
#include "net/expected.hpp"
#include "net/handshake_messages.hpp"
#include "net/noise.hpp"

namespace koe {

// The node's static key: its Ed25519 identity and the X25519 conversion that the
// handshake's DH uses, so completing it proves possession of the identity key.
struct LocalStatic {
  noise::Key identity_public{};  // Ed25519
  noise::KeyPair dh;             // X25519, converted from the identity key pair

  // nullopt if the key pair does not convert (a malformed public key).
  static std::optional<LocalStatic> from_identity(const noise::Key& ed25519_public,
                                                  std::span<const uint8_t, 64> ed25519_secret);
};

// The X25519 public key of an Ed25519 identity; nullopt for a key that is not a
// valid, non-small-order curve point.
std::optional<noise::Key> dh_public_from_identity(const noise::Key& ed25519_public);

// TAI64N of a wall-clock instant (microseconds since the Unix epoch): big-endian,
// so byte order is time order.
Timestamp tai64n(Duration since_unix_epoch);

struct TransportKeys {
  noise::Key send{};
  noise::Key receive{};
};

// An initiation we sent, waiting for its response.
class InitiatorHandshake {
 public:
  // Builds the initiation to the peer with identity `peer_identity`; macs are
  // left zero for CookieGenerator. nullopt if the peer key is unusable.
  static std::optional<InitiatorHandshake> start(const LocalStatic& local,
                                                 const noise::Key& peer_identity,
                                                 uint32_t sender_index, const Timestamp& timestamp,
                                                 const noise::Key& ephemeral_seed);
  ~InitiatorHandshake();
  InitiatorHandshake(const InitiatorHandshake&) = default;
  InitiatorHandshake& operator=(const InitiatorHandshake&) = default;

  const HandshakeInitiation& message() const { return message_; }
  uint32_t sender_index() const { return message_.sender_index; }
  // The transport keys if `response` completes this handshake (the responder
  // proved it holds the expected identity key); kBadMac otherwise.
  Expected<TransportKeys, DropReason> consume_response(const LocalStatic& local,
                                                       const HandshakeResponse& response) const;

 private:
  InitiatorHandshake(noise::SymmetricState state, noise::KeyPair ephemeral);

  noise::SymmetricState state_;
  noise::KeyPair ephemeral_;
  HandshakeInitiation message_;
};

// An initiation that authenticated, ready to be answered.
class ResponderHandshake {
 public:
  // Decrypts and authenticates `initiation`: kBadMac if it was not made for our
  // identity key or its static key does not match its DH, kMalformed for an
  // unusable claimed identity key. Timestamp freshness is the caller's check.
  static Expected<ResponderHandshake, DropReason> consume(const LocalStatic& local,
                                                          const HandshakeInitiation& initiation);
  ~ResponderHandshake();
  ResponderHandshake(const ResponderHandshake&) = default;
  ResponderHandshake& operator=(const ResponderHandshake&) = default;

  const noise::Key& peer_identity() const { return peer_identity_; }
  const Timestamp& timestamp() const { return timestamp_; }
  uint32_t peer_index() const { return peer_index_; }

  struct Reply {
    HandshakeResponse message;  // macs left zero for CookieGenerator
    TransportKeys keys;
  };
  // nullopt only if the initiator's ephemeral key is low-order.
  std::optional<Reply> respond(uint32_t sender_index, const noise::Key& ephemeral_seed) const;

 private:
  ResponderHandshake(noise::SymmetricState state, noise::Key peer_identity,
                     noise::Key peer_dh_public, noise::Key peer_ephemeral, Timestamp timestamp,
                     uint32_t peer_index);

  noise::SymmetricState state_;
  noise::Key peer_identity_;
  noise::Key peer_dh_public_;
  noise::Key peer_ephemeral_;
  Timestamp timestamp_;
  uint32_t peer_index_;
};

}  // namespace koe
