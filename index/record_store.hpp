// RecordStore: the presence records one supernode holds as a replica, one per user
// ID (a newer sequence replaces an older one), each until its expiry, with a cap on
// the total. Stores only records the caller has verified. Sans-IO; owned by one
// IndexNode, called on its thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "index/messages.hpp"
#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "net/identity.hpp"

namespace koe {

struct StoredRecord {
  Bytes encoded;        // exactly as signed by the owner
  uint64_t sequence = 0;
  TimePoint expires;    // local time at which the record's expires_at passes
};

class RecordStore {
 public:
  explicit RecordStore(size_t max_records) : max_records_(max_records) {}

  // Keeps `encoded` under `id` unless an equal or newer sequence is held.
  StoreStatus put(const NodeId& id, uint64_t sequence, ByteView encoded, TimePoint expires, TimePoint now);
  // A store of bytes identical to the held record needs no new signature check
  // (nothing changes). False if the record is not held byte for byte.
  bool holds_identical(const NodeId& id, ByteView encoded, TimePoint now) const;
  // The live record under `id`, or nullptr.
  const StoredRecord* get(const NodeId& id, TimePoint now) const;
  // Drops expired records; returns how many.
  size_t expire(TimePoint now);
  size_t size() const { return records_.size(); }

  template <class F>  // f(const NodeId&, const StoredRecord&)
  void for_each(F&& f) const {
    for (const auto& [id, record] : records_) f(id, record);
  }

 private:
  size_t max_records_;
  std::unordered_map<NodeId, StoredRecord> records_;
};

}  // namespace koe
