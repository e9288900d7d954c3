#include "net/cookie.hpp"

#include <sodium.h>

#include <algorithm>
#include <string_view>

namespace koe {

namespace {

constexpr std::string_view kMac1Label = "koe-mac1";
constexpr std::string_view kCookieLabel = "koe-cookie";

ByteView as_bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

noise::Digest labelled_key(std::string_view label, const noise::Key& public_key) {
  return noise::hash({as_bytes(label), public_key});
}

// A handshake message is long enough for its macs: decoders check that first.
bool has_macs(ByteView message) { return message.size() >= 2 * noise::kMacSize; }

ByteView mac1_covered(ByteView message) { return message.first(mac1_offset(message.size())); }
ByteView mac2_covered(ByteView message) { return message.first(mac2_offset(message.size())); }
ByteView mac1_field(ByteView message) {
  return message.subspan(mac1_offset(message.size()), noise::kMacSize);
}
ByteView mac2_field(ByteView message) {
  return message.subspan(mac2_offset(message.size()), noise::kMacSize);
}

bool equal_macs(ByteView a, const noise::Mac& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), b.size()) == 0;
}

}  // namespace

CookieChecker::CookieChecker(const noise::Key& own_public_key)
    : mac1_key_(labelled_key(kMac1Label, own_public_key)),
      cookie_key_(labelled_key(kCookieLabel, own_public_key)) {
  noise::init_crypto();
}

bool CookieChecker::check_mac1(ByteView message) const {
  if (!has_macs(message)) return false;
  return equal_macs(mac1_field(message), noise::keyed_mac(mac1_key_, mac1_covered(message)));
}

noise::Mac CookieChecker::cookie_for(const Endpoint& source) const {
  const uint8_t address[6] = {
      static_cast<uint8_t>(source.ip >> 24),  static_cast<uint8_t>(source.ip >> 16),
      static_cast<uint8_t>(source.ip >> 8),   static_cast<uint8_t>(source.ip),
      static_cast<uint8_t>(source.port >> 8), static_cast<uint8_t>(source.port)};
  return noise::keyed_mac(secret_, ByteView{address, sizeof address});
}

bool CookieChecker::check_mac2(ByteView message, const Endpoint& source, TimePoint now) const {
  if (!has_macs(message) || !has_secret_ || now - secret_born_ >= kCookieLifetime) return false;
  const noise::Mac cookie = cookie_for(source);
  return equal_macs(mac2_field(message), noise::keyed_mac(cookie, mac2_covered(message)));
}

CookieReply CookieChecker::make_reply(ByteView message, uint32_t receiver_index,
                                      const Endpoint& source, TimePoint now, Random& random) {
  if (!has_secret_ || now - secret_born_ >= kCookieLifetime) {
    random.fill(secret_);
    secret_born_ = now;
    has_secret_ = true;
  }
  CookieReply reply;
  reply.receiver_index = receiver_index;
  random.fill(reply.nonce);
  const noise::Mac cookie = cookie_for(source);
  // The AD binds the reply to the message it answers (its mac1), so a reply
  // cannot be replayed against another initiation.
  const ByteView mac1 = has_macs(message) ? mac1_field(message) : ByteView{};
  crypto_aead_xchacha20poly1305_ietf_encrypt(reply.encrypted_cookie.data(), nullptr, cookie.data(),
                                             cookie.size(), mac1.data(), mac1.size(), nullptr,
                                             reply.nonce.data(), cookie_key_.data());
  return reply;
}

CookieGenerator::CookieGenerator(const noise::Key& peer_public_key)
    : mac1_key_(labelled_key(kMac1Label, peer_public_key)),
      cookie_key_(labelled_key(kCookieLabel, peer_public_key)) {
  noise::init_crypto();
}

void CookieGenerator::add_macs(Bytes& message, TimePoint now) {
  if (!has_macs(message)) return;
  last_mac1_ = noise::keyed_mac(mac1_key_, mac1_covered(message));
  has_last_mac1_ = true;
  std::copy(last_mac1_.begin(), last_mac1_.end(), message.begin() + mac1_offset(message.size()));
  noise::Mac mac2{};  // zeros when we hold no fresh cookie
  if (has_cookie_ && now - cookie_received_ < kCookieLifetime) {
    mac2 = noise::keyed_mac(cookie_, mac2_covered(message));
  }
  std::copy(mac2.begin(), mac2.end(), message.begin() + mac2_offset(message.size()));
}

bool CookieGenerator::consume_reply(const CookieReply& reply, TimePoint now) {
  if (!has_last_mac1_) return false;
  noise::Mac cookie;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          cookie.data(), nullptr, nullptr, reply.encrypted_cookie.data(),
          reply.encrypted_cookie.size(), last_mac1_.data(), last_mac1_.size(), reply.nonce.data(),
          cookie_key_.data()) != 0) {
    return false;
  }
  cookie_ = cookie;
  cookie_received_ = now;
  has_cookie_ = true;
  has_last_mac1_ = false;  // one reply per message: a second copy is a replay
  return true;
}

}  // namespace koe
