// DropCounters: why the secure-session layer discarded datagrams, counted by
// reason for the node's statistics. Plain value owned by the net thread; copy it
// into a snapshot to show it elsewhere.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace koe {

enum class DropReason : uint8_t {
  kMalformed,       // wrong size or layout; never reached any crypto
  kBadMac,          // mac1, AEAD tag or handshake decryption failed
  kReplay,          // data counter already seen, or an initiation timestamp not newer
  kRateLimited,     // the source's handshake token bucket was empty
  kUnknownSession,  // no session or handshake has the receiver index
  kCookieRequired,  // under load without a valid mac2: answered with a cookie reply
  kExpiredKey,      // the keypair was too old or its counter exhausted
  kQueueOverflow,   // outgoing data waiting for a handshake did not fit the queue
  kPeerTableFull,   // a new peer's initiation while every peer slot was busy
  kCount,
};

inline constexpr size_t kDropReasonCount = static_cast<size_t>(DropReason::kCount);

// Stable snake_case name for statistics and logs.
constexpr std::string_view drop_reason_name(DropReason reason) {
  switch (reason) {
    case DropReason::kMalformed: return "malformed";
    case DropReason::kBadMac: return "bad_mac";
    case DropReason::kReplay: return "replay";
    case DropReason::kRateLimited: return "rate_limited";
    case DropReason::kUnknownSession: return "unknown_session";
    case DropReason::kCookieRequired: return "cookie_required";
    case DropReason::kExpiredKey: return "expired_key";
    case DropReason::kQueueOverflow: return "queue_overflow";
    case DropReason::kPeerTableFull: return "peer_table_full";
    case DropReason::kCount: break;
  }
  return "unknown";
}

class DropCounters {
 public:
  void add(DropReason reason, uint64_t n = 1) { counts_[index(reason)] += n; }
  void merge(const DropCounters& other) {
    for (size_t i = 0; i < kDropReasonCount; ++i) counts_[i] += other.counts_[i];
  }
  uint64_t operator[](DropReason reason) const { return counts_[index(reason)]; }
  uint64_t total() const {
    uint64_t sum = 0;
    for (const uint64_t c : counts_) sum += c;
    return sum;
  }
  // f(DropReason, count) for every reason, in declaration order.
  template <typename F>
  void for_each(F&& f) const {
    for (size_t i = 0; i < kDropReasonCount; ++i) f(static_cast<DropReason>(i), counts_[i]);
  }

 private:
  static constexpr size_t index(DropReason reason) {
    const auto i = static_cast<size_t>(reason);
    return i < kDropReasonCount ? i : 0;  // kCount is not a reason; never index past the end
  }
  std::array<uint64_t, kDropReasonCount> counts_{};
};

}  // namespace koe
