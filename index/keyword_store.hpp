// KeywordStore: name-search entries one supernode holds as a replica: under each
// keyword key, the users whose names contain the keyword, in keyword_order (most
// recently published first), capped per key (the oldest drop out) and in total.
// Entries are unverified pointers; searchers fetch and verify the records they
// point to. Times are Unix seconds, as the entries carry them. Sans-IO; owned by
// one IndexNode, called on its thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "index/messages.hpp"
#include "net/identity.hpp"

namespace koe {

struct KeywordPage {
  std::vector<KeywordEntry> hits;  // live entries after the requested cursor
  size_t total = 0;                // live entries under the key
};

class KeywordStore {
 public:
  KeywordStore(size_t per_key_cap, size_t max_entries) : per_key_cap_(per_key_cap), max_entries_(max_entries) {}

  // Adds `entry` under `key`, or extends the user's entry to a later expiry.
  StoreStatus put(const NodeId& key, const KeywordEntry& entry, uint64_t unix_now);
  KeywordPage get(const NodeId& key, const SearchCursor& after, size_t max, uint64_t unix_now) const;
  bool contains(const NodeId& key) const { return keys_.count(key) != 0; }
  size_t expire(uint64_t unix_now);
  size_t entries() const { return entries_; }
  size_t keys() const { return keys_.size(); }

  template <class F>  // f(const NodeId& key, const std::vector<KeywordEntry>& in_keyword_order)
  void for_each(F&& f) const {
    for (const auto& [key, list] : keys_) f(key, list);
  }

 private:
  size_t per_key_cap_;
  size_t max_entries_;
  size_t entries_ = 0;
  std::unordered_map<NodeId, std::vector<KeywordEntry>> keys_;
};

}  // namespace koe
