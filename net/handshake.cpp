#include "net/handshake.hpp"

#include <sodium.h>

#include <algorithm>
#include <string_view>

namespace koe {

namespace {

// Exactly 32 bytes, so Noise uses it as the initial hash without hashing it.
constexpr std::string_view kProtocolName = "Noise_IK_25519_ChaChaPoly_SHA256";
// Binds the transcript to Koe and to this wire version; the statics transported
// are Ed25519 identity keys, whose X25519 conversions do the DH.
constexpr uint8_t kPrologue[] = {'k', 'o', 'e', ' ', 'h', 'a', 'n', 'd',
                                 's', 'h', 'a', 'k', 'e', ' ', 'e', 'd',
                                 '2', '5', '5', '1', '9', ' ', 'v', wire::kProtocolVersion};

noise::SymmetricState initial_state(const noise::Key& responder_identity) {
  noise::SymmetricState state(
      ByteView{reinterpret_cast<const uint8_t*>(kProtocolName.data()), kProtocolName.size()},
      kPrologue);
  state.mix_hash(responder_identity);  // IK pre-message: <- s
  return state;
}

template <size_t N>
void copy_into(const Bytes& from, std::array<uint8_t, N>& to) {
  std::copy_n(from.begin(), std::min(from.size(), N), to.begin());
}

void wipe(noise::Key& key) { sodium_memzero(key.data(), key.size()); }

}  // namespace

std::optional<noise::Key> dh_public_from_identity(const noise::Key& ed25519_public) {
  noise::Key out;
  if (crypto_sign_ed25519_pk_to_curve25519(out.data(), ed25519_public.data()) != 0) {
    return std::nullopt;
  }
  return out;
}

std::optional<LocalStatic> LocalStatic::from_identity(const noise::Key& ed25519_public,
                                                      std::span<const uint8_t, 64> ed25519_secret) {
  noise::init_crypto();
  LocalStatic local;
  local.identity_public = ed25519_public;
  auto dh_public = dh_public_from_identity(ed25519_public);
  if (!dh_public || crypto_sign_ed25519_sk_to_curve25519(local.dh.secret_key.data(),
                                                         ed25519_secret.data()) != 0) {
    return std::nullopt;
  }
  local.dh.public_key = *dh_public;
  // The secret must belong to the public key: compare its own X25519 public.
  if (noise::keypair_from_seed(local.dh.secret_key).public_key != local.dh.public_key) {
    wipe(local.dh.secret_key);
    return std::nullopt;
  }
  return local;
}

Timestamp tai64n(Duration since_unix_epoch) {
  constexpr uint64_t kTai64Base = (uint64_t{1} << 62) + 10;  // TAI64 label, TAI-UTC offset
  const uint64_t micros = static_cast<uint64_t>(std::max<int64_t>(since_unix_epoch.count(), 0));
  const uint64_t seconds = kTai64Base + micros / 1'000'000;
  const uint32_t nanos = static_cast<uint32_t>((micros % 1'000'000) * 1000);
  Timestamp out;
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(seconds >> (56 - 8 * i));
  for (int i = 0; i < 4; ++i) out[8 + i] = static_cast<uint8_t>(nanos >> (24 - 8 * i));
  return out;
}

InitiatorHandshake::InitiatorHandshake(noise::SymmetricState state, noise::KeyPair ephemeral)
    : state_(state), ephemeral_(ephemeral) {}

InitiatorHandshake::~InitiatorHandshake() {
  state_.wipe();
  wipe(ephemeral_.secret_key);
}

std::optional<InitiatorHandshake> InitiatorHandshake::start(const LocalStatic& local,
                                                            const noise::Key& peer_identity,
                                                            uint32_t sender_index,
                                                            const Timestamp& timestamp,
                                                            const noise::Key& ephemeral_seed) {
  const auto peer_dh_public = dh_public_from_identity(peer_identity);
  if (!peer_dh_public) return std::nullopt;
  InitiatorHandshake hs(initial_state(peer_identity), noise::keypair_from_seed(ephemeral_seed));
  noise::SymmetricState& s = hs.state_;
  HandshakeInitiation& m = hs.message_;
  m.sender_index = sender_index;
  m.ephemeral = hs.ephemeral_.public_key;
  s.mix_hash(m.ephemeral);  // -> e
  auto es = noise::dh(hs.ephemeral_.secret_key, *peer_dh_public);
  if (!es) return std::nullopt;
  s.mix_key(*es);  // es
  wipe(*es);
  copy_into(s.encrypt_and_hash(local.identity_public), m.encrypted_static);  // s
  auto ss = noise::dh(local.dh.secret_key, *peer_dh_public);
  if (!ss) return std::nullopt;
  s.mix_key(*ss);  // ss
  wipe(*ss);
  copy_into(s.encrypt_and_hash(timestamp), m.encrypted_timestamp);  // payload
  return hs;
}

Expected<TransportKeys, DropReason> InitiatorHandshake::consume_response(
    const LocalStatic& local, const HandshakeResponse& response) const {
  noise::SymmetricState s = state_;
  s.mix_hash(response.ephemeral);  // <- e
  auto ee = noise::dh(ephemeral_.secret_key, response.ephemeral);
  auto se = noise::dh(local.dh.secret_key, response.ephemeral);
  if (!ee || !se) return Failure{DropReason::kBadMac};
  s.mix_key(*ee);  // ee
  s.mix_key(*se);  // se
  wipe(*ee);
  wipe(*se);
  const bool authentic = s.decrypt_and_hash(response.encrypted_nothing).has_value();
  auto [first, second] = s.split();
  s.wipe();
  if (!authentic) return Failure{DropReason::kBadMac};
  return TransportKeys{first, second};
}

ResponderHandshake::ResponderHandshake(noise::SymmetricState state, noise::Key peer_identity,
                                       noise::Key peer_dh_public, noise::Key peer_ephemeral,
                                       Timestamp timestamp, uint32_t peer_index)
    : state_(state),
      peer_identity_(peer_identity),
      peer_dh_public_(peer_dh_public),
      peer_ephemeral_(peer_ephemeral),
      timestamp_(timestamp),
      peer_index_(peer_index) {}

ResponderHandshake::~ResponderHandshake() { state_.wipe(); }

Expected<ResponderHandshake, DropReason> ResponderHandshake::consume(
    const LocalStatic& local, const HandshakeInitiation& initiation) {
  noise::SymmetricState s = initial_state(local.identity_public);
  s.mix_hash(initiation.ephemeral);  // -> e
  auto es = noise::dh(local.dh.secret_key, initiation.ephemeral);
  if (!es) return Failure{DropReason::kBadMac};
  s.mix_key(*es);  // es
  wipe(*es);
  const auto identity = s.decrypt_and_hash(initiation.encrypted_static);  // s
  if (!identity || identity->size() != noise::kKeySize) return Failure{DropReason::kBadMac};
  noise::Key peer_identity;
  std::copy(identity->begin(), identity->end(), peer_identity.begin());
  const auto peer_dh_public = dh_public_from_identity(peer_identity);
  if (!peer_dh_public) return Failure{DropReason::kMalformed};
  auto ss = noise::dh(local.dh.secret_key, *peer_dh_public);
  if (!ss) return Failure{DropReason::kMalformed};
  s.mix_key(*ss);  // ss: the payload below opens only for the claimed key's holder
  wipe(*ss);
  const auto timestamp = s.decrypt_and_hash(initiation.encrypted_timestamp);  // payload
  if (!timestamp || timestamp->size() != kTimestampSize) return Failure{DropReason::kBadMac};
  Timestamp ts;
  std::copy(timestamp->begin(), timestamp->end(), ts.begin());
  return ResponderHandshake(s, peer_identity, *peer_dh_public, initiation.ephemeral, ts,
                            initiation.sender_index);
}

std::optional<ResponderHandshake::Reply> ResponderHandshake::respond(
    uint32_t sender_index, const noise::Key& ephemeral_seed) const {
  noise::SymmetricState s = state_;
  noise::KeyPair ephemeral = noise::keypair_from_seed(ephemeral_seed);
  Reply reply;
  reply.message.sender_index = sender_index;
  reply.message.receiver_index = peer_index_;
  reply.message.ephemeral = ephemeral.public_key;
  s.mix_hash(ephemeral.public_key);  // <- e
  auto ee = noise::dh(ephemeral.secret_key, peer_ephemeral_);
  auto se = noise::dh(ephemeral.secret_key, peer_dh_public_);
  wipe(ephemeral.secret_key);
  if (!ee || !se) return std::nullopt;
  s.mix_key(*ee);  // ee
  s.mix_key(*se);  // se
  wipe(*ee);
  wipe(*se);
  copy_into(s.encrypt_and_hash({}), reply.message.encrypted_nothing);
  auto [first, second] = s.split();
  s.wipe();
  reply.keys = TransportKeys{second, first};  // the initiator sends with the first
  return reply;
}

}  // namespace koe
