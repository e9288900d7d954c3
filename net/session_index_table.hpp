// SessionIndexTable: the random 32-bit indices that peers put in our packets'
// receiver field, mapped to the session that owns each (a keypair or a pending
// handshake). Net thread only; the table borrows, never owns, the sessions.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "net/env.hpp"

namespace koe {

class PeerSession;

class SessionIndexTable {
 public:
  explicit SessionIndexTable(Random& random) : random_(random) {}

  // A fresh random index (never 0, never in use) now owned by `owner`. Random,
  // so indices reveal nothing about how many sessions a node has.
  uint32_t allocate(PeerSession* owner) {
    for (;;) {
      const auto index = static_cast<uint32_t>(random_.next_u64());
      if (index != 0 && owners_.emplace(index, owner).second) return index;
    }
  }
  void release(uint32_t index) { owners_.erase(index); }
  PeerSession* find(uint32_t index) const {
    const auto it = owners_.find(index);
    return it == owners_.end() ? nullptr : it->second;
  }
  size_t size() const { return owners_.size(); }

 private:
  Random& random_;
  std::unordered_map<uint32_t, PeerSession*> owners_;
};

}  // namespace koe
