// Orderings of NodeIds as 160-bit big-endian numbers, done with three word
// loads instead of NodeId's byte-wise compare: the index compares IDs and XOR
// distances in its hottest loops (routing table, lookups, replica sets).
// Pure functions; any thread.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

#include "net/identity.hpp"

namespace koe {

namespace id_order_detail {
struct Words {
  uint64_t hi;
  uint64_t mid;
  uint32_t lo;
};
inline uint64_t big_endian64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return std::endian::native == std::endian::little ? __builtin_bswap64(v) : v;
}
inline uint32_t big_endian32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return std::endian::native == std::endian::little ? __builtin_bswap32(v) : v;
}
inline Words words(const NodeId& id) {
  return {big_endian64(id.bytes.data()), big_endian64(id.bytes.data() + 8), big_endian32(id.bytes.data() + 16)};
}
inline bool less(const Words& a, const Words& b) {
  if (a.hi != b.hi) return a.hi < b.hi;
  if (a.mid != b.mid) return a.mid < b.mid;
  return a.lo < b.lo;
}
}  // namespace id_order_detail

// a < b as numbers (the same order as NodeId's operator<).
inline bool id_less(const NodeId& a, const NodeId& b) {
  return id_order_detail::less(id_order_detail::words(a), id_order_detail::words(b));
}

// True when a is closer to target than b by XOR distance.
inline bool closer_to(const NodeId& target, const NodeId& a, const NodeId& b) {
  using namespace id_order_detail;
  const Words t = words(target), x = words(a), y = words(b);
  return less({x.hi ^ t.hi, x.mid ^ t.mid, x.lo ^ t.lo}, {y.hi ^ t.hi, y.mid ^ t.mid, y.lo ^ t.lo});
}

}  // namespace koe
