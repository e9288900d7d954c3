#include "index/keyword_store.hpp"

#include <algorithm>

namespace koe {

StoreStatus KeywordStore::put(const NodeId& key, const KeywordEntry& entry, uint64_t unix_now) {
  if (entry.expires_at <= unix_now) return StoreStatus::kInvalid;
  auto it = keys_.find(key);
  if (it == keys_.end()) {
    if (entries_ >= max_entries_) return StoreStatus::kFull;
    it = keys_.emplace(key, std::vector<KeywordEntry>{}).first;
  }
  auto& list = it->second;
  const auto held = std::find_if(list.begin(), list.end(), [&](const KeywordEntry& e) { return e.user == entry.user; });
  if (held != list.end()) {
    if (held->expires_at >= entry.expires_at) return StoreStatus::kUnchanged;
    list.erase(held);
    --entries_;
  } else if (entries_ >= max_entries_) {
    return StoreStatus::kFull;
  }
  list.insert(std::lower_bound(list.begin(), list.end(), entry, keyword_order), entry);
  ++entries_;
  if (list.size() > per_key_cap_) {  // the least recently published user drops out
    const bool dropped_itself = list.back() == entry;
    list.pop_back();
    --entries_;
    if (dropped_itself) return StoreStatus::kFull;
  }
  return StoreStatus::kStored;
}

KeywordPage KeywordStore::get(const NodeId& key, const SearchCursor& after, size_t max, uint64_t unix_now) const {
  KeywordPage page;
  const auto it = keys_.find(key);
  if (it == keys_.end()) return page;
  for (const auto& e : it->second) {
    if (e.expires_at <= unix_now) continue;
    if (keyword_order(after, e) && page.hits.size() < max) page.hits.push_back(e);
    ++page.total;
  }
  return page;
}

size_t KeywordStore::expire(uint64_t unix_now) {
  size_t dropped = 0;
  for (auto it = keys_.begin(); it != keys_.end();) {
    dropped += std::erase_if(it->second, [&](const KeywordEntry& e) { return e.expires_at <= unix_now; });
    it = it->second.empty() ? keys_.erase(it) : std::next(it);
  }
  entries_ -= dropped;
  return dropped;
}

}  // namespace koe
