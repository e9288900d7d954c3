// RoutingTable: the supernodes one supernode knows, Kademlia-style with 8-bit
// symbols (the Kademlia paper's b = 8): a contact's bucket is (how many leading
// bytes its ID shares with ours, the next byte), each bucket holds up to
// bucket_size contacts. At 10,000 supernodes that is ~255 full buckets for the
// rest of the network plus every node of our own first-byte group, so lookups
// take about two hops. Sans-IO; owned by one IndexNode, called on its thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "index/contact.hpp"
#include "net/clock.hpp"
#include "net/env.hpp"

namespace koe {

class RoutingTable {
 public:
  enum class Observed : uint8_t { kAdded, kRefreshed, kRejected };

  RoutingTable(const NodeId& self, size_t bucket_size, uint8_t max_failures);

  // We heard from `contact` at its endpoint (a response, or a request whose source
  // is proven). A new contact joins its bucket if there is room or a contact there
  // has failed; otherwise the long-lived contacts are kept (Kademlia's preference,
  // which also resists table flooding). A known contact's endpoint changes only
  // when its old endpoint has failed.
  Observed observe(const Contact& contact, TimePoint now);
  // Someone else told us about `contact` (a lookup answer): it joins only a bucket
  // with room, marked unproven, so its first failure removes it and any newcomer
  // may replace it.
  Observed learn(const Contact& contact, TimePoint now);
  // An RPC to `id` went unanswered; true when that removed the contact.
  bool record_failure(const NodeId& id);
  bool remove(const NodeId& id);

  // Up to `count` contacts closest to `target` by XOR distance, closest first.
  std::vector<Contact> closest(const NodeId& target, size_t count) const;
  std::optional<Contact> find(const NodeId& id) const;
  // When we last heard from `id` directly; nullopt if it is not in the table.
  std::optional<TimePoint> last_seen(const NodeId& id) const;
  // Remembers the address token `id` gave us (every answer carries one), so our
  // next requests to it are proven.
  void set_token(const NodeId& id, uint64_t token, TimePoint now);
  // The token `id` gave us at most `lifetime` ago, or 0.
  uint64_t token(const NodeId& id, TimePoint now, Duration lifetime) const;
  // `count` distinct contacts drawn uniformly (fewer if the table is smaller).
  std::vector<Contact> sample(size_t count, Random& random) const;

  const NodeId& self() const { return self_; }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    NodeId distance;  // id XOR self: the sort key; the id is recovered by XOR again
    Endpoint endpoint;
    TimePoint last_seen;
    uint8_t failures = 0;
    uint64_t token = 0;
    TimePoint token_time;
  };

  Contact contact_of(const Entry& e) const { return Contact{xor_distance(e.distance, self_), e.endpoint}; }
  std::vector<Entry>::iterator lower_bound(const NodeId& distance);
  std::vector<Entry>::iterator find_entry(const NodeId& distance);
  void insert_sorted(const Entry& entry);
  std::vector<Entry>::const_iterator find_entry(const NodeId& distance) const;
  // The contiguous range of entries in the bucket `distance` falls in.
  std::pair<size_t, size_t> bucket_range(const NodeId& distance) const;
  // Appends entries of [lo, hi) (which share `bit` leading distance bits) in an order
  // that puts every entry closer to `target_distance` before any farther one, until
  // `out` holds `count`.
  void collect_closest(size_t lo, size_t hi, size_t bit, const NodeId& target_distance, size_t count,
                       std::vector<const Entry*>& out) const;

  NodeId self_;
  size_t bucket_size_;
  uint8_t max_failures_;
  std::vector<Entry> entries_;  // sorted by distance
};

}  // namespace koe
