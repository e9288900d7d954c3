// Handshake DoS protection after WireGuard: mac1 (keyed by the responder's public
// key) lets a responder drop junk cheaply; under load it also demands mac2, keyed
// by a cookie = MAC(rotating secret, source endpoint) that only a source able to
// receive a cookie reply at that endpoint can hold. Net thread only; values owned.
#pragma once

#include <cstdint>

#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "net/endpoint.hpp"
#include "net/env.hpp"
#include "net/handshake_messages.hpp"
#include "net/noise.hpp"

namespace koe {

// How long a cookie secret (and so a cookie) stays valid.
inline constexpr Duration kCookieLifetime = std::chrono::seconds(120);

// The responder side: checks mac1/mac2 of incoming handshake messages and makes
// cookie replies. `own_public_key` is the node's Ed25519 identity public key.
class CookieChecker {
 public:
  explicit CookieChecker(const noise::Key& own_public_key);

  // `message` is a whole encoded handshake message (initiation or response).
  bool check_mac1(ByteView message) const;
  // True only with a cookie minted for `source` under the current secret.
  bool check_mac2(ByteView message, const Endpoint& source, TimePoint now) const;
  // A cookie reply for `message` (whose mac1 was valid), encrypted to its sender.
  // Rotates the secret when it is older than kCookieLifetime.
  CookieReply make_reply(ByteView message, uint32_t receiver_index, const Endpoint& source,
                         TimePoint now, Random& random);

 private:
  noise::Mac cookie_for(const Endpoint& source) const;

  noise::Digest mac1_key_;
  noise::Digest cookie_key_;
  noise::Key secret_{};
  TimePoint secret_born_{};
  bool has_secret_ = false;
};

// The initiator side, one per remote peer: stamps our handshake messages with
// mac1 and, while it holds a fresh cookie, mac2.
class CookieGenerator {
 public:
  // `peer_public_key` is the responder's Ed25519 identity public key.
  explicit CookieGenerator(const noise::Key& peer_public_key);

  // Fills the trailing mac1 || mac2 of an encoded handshake message.
  void add_macs(Bytes& message, TimePoint now);
  // Accepts a cookie reply that answers the last message we stamped; false if
  // it does not decrypt (forged, stale or not ours).
  bool consume_reply(const CookieReply& reply, TimePoint now);

 private:
  noise::Digest mac1_key_;
  noise::Digest cookie_key_;
  noise::Mac last_mac1_{};
  bool has_last_mac1_ = false;
  noise::Mac cookie_{};
  TimePoint cookie_received_{};
  bool has_cookie_ = false;
};

}  // namespace koe
