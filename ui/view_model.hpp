// View logic that is not text: grouping and ordering contacts, classifying what was
// typed into search, the per-second quality history behind the in-call plot, and
// traffic rates.
// Plain values and pure functions; any thread (QualityHistory: its owner's thread).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/app_snapshot.hpp"

namespace koe::ui {

struct ContactGroups {
  std::vector<ContactView> contacts;           // accepted, in contact_order
  std::vector<ContactView> requests_received;  // waiting for the user's answer
  std::vector<ContactView> requests_sent;      // waiting for theirs
  std::vector<ContactView> blocked;
};

// Contacts who are not offline first, then by name (ASCII case-insensitive; a contact
// without a name sorts by ID), then by ID so the order is total.
bool contact_order(const ContactView& a, const ContactView& b);
ContactGroups group_contacts(const std::vector<ContactView>& all);
// The contact with this ID, if any.
const ContactView* find_contact(const std::vector<ContactView>& all, std::string_view user_id);

struct SearchQuery {
  enum class Kind { kEmpty, kName, kUserId, kBadUserId };
  Kind kind = Kind::kEmpty;
  std::string text;   // trimmed; for kUserId the canonical lowercase ID
  std::string error;  // kBadUserId: why it is not a valid ID (a typo caught by the checksum)
};
// Text starting with "koe1" (any case) is taken as an ID and checked; anything else
// is a name.
SearchQuery classify_search(std::string_view typed);

// One sample per second of call time, the last kSeconds of them, for the live plot.
class QualityHistory {
 public:
  static constexpr size_t kSeconds = 60;
  enum class Series { kRttMs, kLossPercent, kJitterBufferMs, kMos };

  // Adds a sample for each whole second of `call` not seen yet; a different call (or
  // one whose time went backwards) starts a fresh history.
  void update(const CallView& call);
  // Oldest first, at most kSeconds values.
  std::vector<float> values(Series series) const;
  size_t size() const { return samples_.size(); }

 private:
  struct Sample {
    std::array<float, 4> values{};  // indexed by Series
  };
  std::optional<CallId> call_;
  int64_t last_second_ = -1;
  std::vector<Sample> samples_;  // oldest first, bounded by kSeconds
};

// Bytes per second from a growing byte count, averaged over windows of at least a second.
class RateMeter {
 public:
  // `now_s`: a monotonic clock in seconds. A count that went backwards starts over.
  void update(double now_s, uint64_t total);
  uint64_t per_second() const { return rate_; }

 private:
  std::optional<double> mark_time_;
  uint64_t mark_total_ = 0;
  uint64_t rate_ = 0;
};

}  // namespace koe::ui
