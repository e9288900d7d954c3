// AddressTokens: proof that a request's source address is real, as BitTorrent's
// DHT does it: every response carries a token bound to the requester's endpoint,
// and a store (or any answer that would amplify) requires a token issued to that
// endpoint within the last one or two rotation periods. A spoofer never sees the
// token. Sans-IO (`now` passed in); owned by one IndexNode, called on its thread.
#pragma once

#include <array>
#include <cstdint>

#include "net/clock.hpp"
#include "net/endpoint.hpp"
#include "net/env.hpp"

namespace koe {

class AddressTokens {
 public:
  AddressTokens(Random& random, Duration rotation);

  // The token for `source` under the current secret (never 0, which means "none").
  uint64_t issue(const Endpoint& source) const;
  // True for a token issued to `source` under the current or the previous secret.
  bool check(const Endpoint& source, uint64_t token) const;

  // Starts the rotation clock on the first call; later calls rotate when due.
  void on_timer(TimePoint now);
  TimePoint next_rotation() const { return next_rotation_; }

 private:
  using Secret = std::array<uint8_t, 16>;  // crypto_shorthash_KEYBYTES
  static uint64_t mac(const Secret& secret, const Endpoint& source);

  Random& random_;
  Duration rotation_;
  Secret current_{};
  Secret previous_{};
  TimePoint next_rotation_ = kNever;
};

}  // namespace koe
