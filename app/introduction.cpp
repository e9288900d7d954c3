#include "app/introduction.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "net/byte_reader.hpp"
#include "net/byte_writer.hpp"

namespace koe {

namespace {

constexpr uint8_t kIntroductionVersion = 1;
constexpr std::string_view kSignatureContext{"koe-introduction-v1\0", 20};
// Version, kind, attempt, time, sender key, recipient id, two length-prefixed fields.
constexpr size_t kMaxBody = kMaxSealedIntroduction - crypto_box_SEALBYTES - kSignatureSize;
constexpr size_t kMaxField = kMaxBody - (1 + 1 + 8 + 8 + kPublicKeySize + kNodeIdSize + 2 + 2);

Bytes signed_message(ByteView body) {
  Bytes message(kSignatureContext.size() + body.size());
  std::copy(kSignatureContext.begin(), kSignatureContext.end(), message.begin());
  std::copy(body.begin(), body.end(), message.begin() + static_cast<std::ptrdiff_t>(kSignatureContext.size()));
  return message;
}

bool valid_kind(uint8_t kind) { return kind >= 1 && kind <= 3; }

// A peer's X25519 key for sealing, from its Ed25519 identity key.
std::optional<std::array<uint8_t, crypto_box_PUBLICKEYBYTES>> box_public(const PublicKey& identity) {
  std::array<uint8_t, crypto_box_PUBLICKEYBYTES> out{};
  if (crypto_sign_ed25519_pk_to_curve25519(out.data(), identity.data()) != 0) return std::nullopt;
  return out;
}

}  // namespace

std::string_view to_string(IntroductionError error) {
  switch (error) {
    case IntroductionError::kUnsealFailed: return "unseal_failed";
    case IntroductionError::kMalformed: return "malformed";
    case IntroductionError::kNotForUs: return "not_for_us";
    case IntroductionError::kBadSignature: return "bad_signature";
    case IntroductionError::kStale: return "stale";
  }
  return "unknown";
}

std::optional<Bytes> seal_introduction(const Identity& sender, const PublicKey& recipient, uint64_t unix_now,
                                       const Introduction& introduction) {
  const bool wants_offer = introduction.kind != IntroductionKind::kRelay;
  if (wants_offer != introduction.offer.has_value()) return std::nullopt;
  if (wants_offer != introduction.tickets.empty()) return std::nullopt;
  const auto to = box_public(recipient);
  if (!to) return std::nullopt;
  std::optional<Bytes> offer = wants_offer ? encode_punch_offer(*introduction.offer) : Bytes{};
  std::optional<Bytes> tickets = wants_offer ? Bytes{} : encode_relay_tickets(introduction.tickets);
  if (!offer || !tickets) return std::nullopt;

  ByteWriter writer(kMaxBody);
  writer.u8(kIntroductionVersion);
  writer.u8(static_cast<uint8_t>(introduction.kind));
  writer.u64(introduction.attempt);
  writer.u64(unix_now);
  writer.bytes(sender.public_key());
  writer.bytes(node_id_from_public_key(recipient).bytes);
  writer.byte_string(*offer, kMaxField);
  writer.byte_string(*tickets, kMaxField);
  auto body = std::move(writer).finish();
  if (!body) return std::nullopt;
  const Signature signature = sender.sign(signed_message(*body));
  body->insert(body->end(), signature.begin(), signature.end());

  Bytes sealed(body->size() + crypto_box_SEALBYTES);
  if (crypto_box_seal(sealed.data(), body->data(), body->size(), to->data()) != 0) return std::nullopt;
  return sealed;
}

Expected<OpenedIntroduction, IntroductionError> open_introduction(const Identity& recipient, uint64_t unix_now,
                                                                  ByteView sealed) {
  if (sealed.size() <= crypto_box_SEALBYTES + kSignatureSize || sealed.size() > kMaxSealedIntroduction)
    return IntroductionError::kMalformed;
  std::array<uint8_t, crypto_box_SECRETKEYBYTES> box_secret{};
  const auto box_pk = box_public(recipient.public_key());
  if (!box_pk || crypto_sign_ed25519_sk_to_curve25519(box_secret.data(), recipient.secret_key().data()) != 0)
    return IntroductionError::kUnsealFailed;
  Bytes plain(sealed.size() - crypto_box_SEALBYTES);
  const int opened = crypto_box_seal_open(plain.data(), sealed.data(), sealed.size(), box_pk->data(), box_secret.data());
  sodium_memzero(box_secret.data(), box_secret.size());
  if (opened != 0) return IntroductionError::kUnsealFailed;

  const ByteView body(plain.data(), plain.size() - kSignatureSize);
  Signature signature{};
  std::copy(plain.end() - kSignatureSize, plain.end(), signature.begin());
  ByteReader reader(body);
  const uint8_t version = reader.u8();
  const uint8_t kind = reader.u8();
  OpenedIntroduction out;
  out.introduction.attempt = reader.u64();
  const uint64_t sent_at = reader.u64();
  out.sender = reader.array<kPublicKeySize>();
  const NodeId to{reader.array<kNodeIdSize>()};
  const ByteView offer = reader.byte_string(kMaxField);
  const ByteView tickets = reader.byte_string(kMaxField);
  if (!reader.expect_end() || version != kIntroductionVersion || !valid_kind(kind))
    return IntroductionError::kMalformed;
  out.introduction.kind = static_cast<IntroductionKind>(kind);
  if (to != node_id_from_public_key(recipient.public_key())) return IntroductionError::kNotForUs;
  if (!Identity::verify(out.sender, signed_message(body), signature)) return IntroductionError::kBadSignature;
  const uint64_t skew = sent_at > unix_now ? sent_at - unix_now : unix_now - sent_at;
  if (skew > kIntroductionMaxSkewSeconds) return IntroductionError::kStale;

  if (out.introduction.kind == IntroductionKind::kRelay) {
    auto decoded = decode_relay_tickets(tickets);
    if (!offer.empty() || !decoded || decoded->empty()) return IntroductionError::kMalformed;
    out.introduction.tickets = std::move(*decoded);
  } else {
    auto decoded = decode_punch_offer(offer);
    if (!tickets.empty() || !decoded) return IntroductionError::kMalformed;
    out.introduction.offer = std::move(*decoded);
  }
  return out;
}

}  // namespace koe
