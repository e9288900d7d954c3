#include "index/record_store.hpp"

#include <algorithm>

namespace koe {

StoreStatus RecordStore::put(const NodeId& id, uint64_t sequence, ByteView encoded, TimePoint expires,
                             TimePoint now) {
  auto it = records_.find(id);
  if (it != records_.end() && it->second.expires > now) {
    StoredRecord& held = it->second;
    if (sequence < held.sequence) return StoreStatus::kStale;
    if (sequence == held.sequence) {
      // Two different records with one sequence: the owner's bug or a forgery
      // that verified; the first one held stays.
      if (!std::equal(encoded.begin(), encoded.end(), held.encoded.begin(), held.encoded.end())) {
        return StoreStatus::kStale;
      }
      return StoreStatus::kUnchanged;
    }
    held = StoredRecord{Bytes(encoded.begin(), encoded.end()), sequence, expires};
    return StoreStatus::kStored;
  }
  if (it == records_.end() && records_.size() >= max_records_) return StoreStatus::kFull;
  records_[id] = StoredRecord{Bytes(encoded.begin(), encoded.end()), sequence, expires};
  return StoreStatus::kStored;
}

bool RecordStore::holds_identical(const NodeId& id, ByteView encoded, TimePoint now) const {
  const StoredRecord* held = get(id, now);
  return held != nullptr && std::equal(encoded.begin(), encoded.end(), held->encoded.begin(), held->encoded.end());
}

const StoredRecord* RecordStore::get(const NodeId& id, TimePoint now) const {
  const auto it = records_.find(id);
  return it != records_.end() && it->second.expires > now ? &it->second : nullptr;
}

size_t RecordStore::expire(TimePoint now) {
  return std::erase_if(records_, [&](const auto& item) { return item.second.expires <= now; });
}

}  // namespace koe
