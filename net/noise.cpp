#include "net/noise.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace koe::noise {

namespace {

void put_nonce(uint64_t counter, uint8_t (&nonce)[crypto_aead_chacha20poly1305_ietf_NPUBBYTES]) {
  std::memset(nonce, 0, sizeof nonce);
  for (int i = 0; i < 8; ++i) nonce[4 + i] = static_cast<uint8_t>(counter >> (8 * i));
}

}  // namespace

void init_crypto() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

Digest hash(std::initializer_list<ByteView> parts) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  for (const ByteView part : parts) crypto_hash_sha256_update(&state, part.data(), part.size());
  Digest out;
  crypto_hash_sha256_final(&state, out.data());
  return out;
}

Digest hmac(const Digest& key, std::initializer_list<ByteView> parts) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, key.data(), key.size());
  for (const ByteView part : parts) crypto_auth_hmacsha256_update(&state, part.data(), part.size());
  Digest out;
  crypto_auth_hmacsha256_final(&state, out.data());
  sodium_memzero(&state, sizeof state);
  return out;
}

Mac keyed_mac(ByteView key, ByteView message) {
  Mac out;
  crypto_generichash(out.data(), out.size(), message.data(), message.size(), key.data(),
                     key.size());
  return out;
}

template <size_t N>
std::array<Digest, N> hkdf(const Digest& chaining_key, ByteView input_key_material) {
  static_assert(N >= 1 && N <= 3);
  Digest temp = hmac(chaining_key, {input_key_material});
  std::array<Digest, N> out;
  for (size_t i = 0; i < N; ++i) {
    const uint8_t counter = static_cast<uint8_t>(i + 1);
    const ByteView previous = i == 0 ? ByteView{} : ByteView{out[i - 1]};
    out[i] = hmac(temp, {previous, ByteView{&counter, 1}});
  }
  sodium_memzero(temp.data(), temp.size());
  return out;
}
template std::array<Digest, 1> hkdf<1>(const Digest&, ByteView);
template std::array<Digest, 2> hkdf<2>(const Digest&, ByteView);
template std::array<Digest, 3> hkdf<3>(const Digest&, ByteView);

KeyPair keypair_from_seed(const Key& seed_bytes) {
  KeyPair pair;
  pair.secret_key = seed_bytes;
  crypto_scalarmult_curve25519_base(pair.public_key.data(), pair.secret_key.data());
  return pair;
}

std::optional<Key> dh(const Key& secret_key, const Key& public_key) {
  Key shared;
  // libsodium returns -1 when the shared point is all zeros (low-order input).
  if (crypto_scalarmult_curve25519(shared.data(), secret_key.data(), public_key.data()) != 0) {
    return std::nullopt;
  }
  return shared;
}

void aead_seal(const Key& key, uint64_t counter, ByteView plaintext, ByteView associated,
               std::span<uint8_t> out) {
  uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
  put_nonce(counter, nonce);
  crypto_aead_chacha20poly1305_ietf_encrypt(out.data(), nullptr, plaintext.data(), plaintext.size(),
                                            associated.data(), associated.size(), nullptr, nonce,
                                            key.data());
}

bool aead_open(const Key& key, uint64_t counter, ByteView ciphertext, ByteView associated,
               std::span<uint8_t> out) {
  if (ciphertext.size() < kTagSize) return false;
  uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
  put_nonce(counter, nonce);
  return crypto_aead_chacha20poly1305_ietf_decrypt(out.data(), nullptr, nullptr, ciphertext.data(),
                                                   ciphertext.size(), associated.data(),
                                                   associated.size(), nonce, key.data()) == 0;
}

SymmetricState::SymmetricState(ByteView protocol_name, ByteView prologue) {
  // Noise: h = name padded with zeros if it fits in HASHLEN, else HASH(name).
  if (protocol_name.size() <= h_.size()) {
    std::copy(protocol_name.begin(), protocol_name.end(), h_.begin());
  } else {
    h_ = hash({protocol_name});
  }
  ck_ = h_;
  mix_hash(prologue);
}

void SymmetricState::mix_hash(ByteView data) { h_ = hash({h_, data}); }

void SymmetricState::mix_key(ByteView input_key_material) {
  auto [ck, k] = hkdf<2>(ck_, input_key_material);
  ck_ = ck;
  k_ = k;
  n_ = 0;
  sodium_memzero(ck.data(), ck.size());
  sodium_memzero(k.data(), k.size());
}

Bytes SymmetricState::encrypt_and_hash(ByteView plaintext) {
  Bytes ciphertext(plaintext.size() + kTagSize);
  aead_seal(k_, n_++, plaintext, h_, ciphertext);
  mix_hash(ciphertext);
  return ciphertext;
}

std::optional<Bytes> SymmetricState::decrypt_and_hash(ByteView ciphertext) {
  if (ciphertext.size() < kTagSize) return std::nullopt;
  Bytes plaintext(ciphertext.size() - kTagSize);
  if (!aead_open(k_, n_, ciphertext, h_, plaintext)) return std::nullopt;
  ++n_;
  mix_hash(ciphertext);
  return plaintext;
}

std::array<Key, 2> SymmetricState::split() const {
  const auto [first, second] = hkdf<2>(ck_, {});
  return {first, second};
}

void SymmetricState::wipe() {
  sodium_memzero(ck_.data(), ck_.size());
  sodium_memzero(k_.data(), k_.size());
  sodium_memzero(h_.data(), h_.size());
}

}  // namespace koe::noise
