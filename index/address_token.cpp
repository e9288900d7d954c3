#include "index/address_token.hpp"

#include <sodium.h>

namespace koe {

static_assert(crypto_shorthash_KEYBYTES == 16 && crypto_shorthash_BYTES == 8);

AddressTokens::AddressTokens(Random& random, Duration rotation) : random_(random), rotation_(rotation) {
  random_.fill(current_);
  random_.fill(previous_);
}

uint64_t AddressTokens::mac(const Secret& secret, const Endpoint& source) {
  const uint8_t message[6] = {static_cast<uint8_t>(source.ip >> 24), static_cast<uint8_t>(source.ip >> 16),
                              static_cast<uint8_t>(source.ip >> 8),  static_cast<uint8_t>(source.ip),
                              static_cast<uint8_t>(source.port >> 8), static_cast<uint8_t>(source.port)};
  uint8_t out[crypto_shorthash_BYTES];
  crypto_shorthash(out, message, sizeof message, secret.data());  // SipHash-2-4
  uint64_t token = 0;
  for (const uint8_t b : out) token = (token << 8) | b;
  return token == 0 ? 1 : token;
}

uint64_t AddressTokens::issue(const Endpoint& source) const { return mac(current_, source); }

bool AddressTokens::check(const Endpoint& source, uint64_t token) const {
  return token != 0 && (token == mac(current_, source) || token == mac(previous_, source));
}

void AddressTokens::on_timer(TimePoint now) {
  if (next_rotation_ == kNever) {
    next_rotation_ = now + rotation_;
  } else if (now >= next_rotation_) {
    previous_ = current_;
    random_.fill(current_);
    next_rotation_ = now + rotation_;
  }
}

}  // namespace koe
