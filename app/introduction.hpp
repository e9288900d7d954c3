// Introductions: what two peers tell each other through a supernode to connect when
// NATs stand between them: a punch offer (candidates, NAT profile, fresh secret), the
// answering offer, or relay tickets. Signed by the sender's identity and sealed to the
// recipient (crypto_box_seal to its X25519 key), so the supernode that carries them can
// neither read nor forge them. Plain values and pure functions; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "app/control_messages.hpp"
#include "net/bytes.hpp"
#include "net/identity.hpp"
#include "net/punch_messages.hpp"
#include "net/relay_messages.hpp"

namespace koe {

enum class IntroductionKind : uint8_t {
  kOffer = 1,   // the caller's punch offer: starts an attempt
  kAnswer = 2,  // the callee's punch offer for the same attempt
  kRelay = 3,   // tickets to join the caller's relay session(s)
};

struct Introduction {
  IntroductionKind kind = IntroductionKind::kOffer;
  uint64_t attempt = 0;                // chosen by the caller; names the attempt on both sides
  std::optional<PunchOffer> offer;     // kOffer and kAnswer
  std::vector<RelayTicket> tickets;    // kRelay: 1..kMaxRelayTickets
  friend bool operator==(const Introduction&, const Introduction&) = default;
};

// Largest sealed introduction (it rides in a control message).
inline constexpr size_t kMaxSealedIntroduction = kMaxSealedIntroductionBytes;
// An introduction older or newer than this (by its sender's clock) is refused: replays
// of old ones cannot restart a punch.
inline constexpr uint64_t kIntroductionMaxSkewSeconds = 120;

struct OpenedIntroduction {
  PublicKey sender{};
  Introduction introduction;
};

enum class IntroductionError : uint8_t {
  kUnsealFailed,   // not sealed to us, or corrupted
  kMalformed,      // a field is truncated, oversized or out of range
  kNotForUs,       // sealed to our key but addressed to another node
  kBadSignature,
  kStale,          // outside kIntroductionMaxSkewSeconds
};
std::string_view to_string(IntroductionError error);

// nullopt when the introduction breaks a limit (missing offer, too many tickets...).
std::optional<Bytes> seal_introduction(const Identity& sender, const PublicKey& recipient, uint64_t unix_now,
                                       const Introduction& introduction);
Expected<OpenedIntroduction, IntroductionError> open_introduction(const Identity& recipient, uint64_t unix_now,
                                                                  ByteView sealed);

}  // namespace koe
