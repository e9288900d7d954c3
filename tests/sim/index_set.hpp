// IndexSet: a set of small indices (users, supernodes) with O(1) insert, erase,
// membership and uniform random pick, for the simulator's workloads.
// Simulation thread only; a plain value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "net/env.hpp"

namespace koe::sim {

class IndexSet {
 public:
  bool contains(size_t value) const { return value < slot_.size() && slot_[value] != kAbsent; }
  void insert(size_t value) {
    if (contains(value)) return;
    if (slot_.size() <= value) slot_.resize(value + 1, kAbsent);
    slot_[value] = items_.size();
    items_.push_back(value);
  }
  void erase(size_t value) {
    if (!contains(value)) return;
    const size_t slot = slot_[value];
    items_[slot] = items_.back();
    slot_[items_[slot]] = slot;
    items_.pop_back();
    slot_[value] = kAbsent;
  }
  std::optional<size_t> pick(Random& random) const {
    if (items_.empty()) return std::nullopt;
    return items_[random.uniform(items_.size())];
  }
  size_t size() const { return items_.size(); }
  const std::vector<size_t>& items() const { return items_; }

 private:
  static constexpr size_t kAbsent = SIZE_MAX;
  std::vector<size_t> items_;
  std::vector<size_t> slot_;  // value -> position in items_, or kAbsent
};

}  // namespace koe::sim
