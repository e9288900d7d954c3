// Field codecs shared by the index's record and message encoders: node IDs,
// endpoints and contacts over ByteWriter/ByteReader. Pure functions; any thread.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <variant>
#include <vector>

#include "index/contact.hpp"
#include "index/messages.hpp"
#include "net/byte_reader.hpp"
#include "net/byte_writer.hpp"

namespace koe::index_wire {

inline Bytes to_bytes(ByteView v) { return Bytes(v.begin(), v.end()); }

inline void write_node_id(ByteWriter& w, const NodeId& id) { w.bytes(id.bytes); }
inline NodeId read_node_id(ByteReader& r) { return NodeId{r.array<kNodeIdSize>()}; }

// Endpoints on the wire are always answerable: 0.0.0.0 or port 0 is a bad field.
inline bool is_answerable(const Endpoint& e) { return e.ip != 0 && e.port != 0; }
inline void write_endpoint(ByteWriter& w, const Endpoint& e) {
  w.u32(e.ip);
  w.u16(e.port);
}
inline Endpoint read_endpoint(ByteReader& r) {
  Endpoint e;
  e.ip = r.u32();
  e.port = r.u16();
  if (!r.failed() && !is_answerable(e)) r.fail(DecodeError::kBadFieldValue);
  return e;
}

inline void write_keyword_entry(ByteWriter& w, const KeywordEntry& e) {
  write_node_id(w, e.user);
  w.u64(e.expires_at);
}
inline KeywordEntry read_keyword_entry(ByteReader& r) {
  KeywordEntry e;
  e.user = read_node_id(r);
  e.expires_at = r.u64();
  return e;
}

inline void write_contact(ByteWriter& w, const Contact& c) {
  write_node_id(w, c.id);
  write_endpoint(w, c.endpoint);
}
inline Contact read_contact(ByteReader& r) {
  Contact c;
  c.id = read_node_id(r);
  c.endpoint = read_endpoint(r);
  return c;
}

// A flags byte holding one bool in bit 0; other bits set are a bad field (canonical).
inline void write_flag(ByteWriter& w, bool flag) { w.u8(flag ? 1 : 0); }
inline bool read_flag(ByteReader& r) {
  const uint8_t flags = r.u8();
  if (flags > 1) r.fail(DecodeError::kBadFieldValue);
  return flags == 1;
}

// Rates travel as whole kbps: rounded, negative or NaN as 0, clamped to u32.
inline uint32_t kbps_to_wire(double kbps) {
  if (!(kbps > 0)) return 0;
  if (kbps >= static_cast<double>(UINT32_MAX)) return UINT32_MAX;
  return static_cast<uint32_t>(std::llround(kbps));
}
inline void write_supernode_load(ByteWriter& w, const SupernodeLoad& l) {
  w.u32(l.clients);
  w.u32(l.client_capacity);
  w.u32(l.relay_sessions);
  w.u32(l.relay_capacity);
  w.u32(kbps_to_wire(l.upstream_kbps));
  w.u32(kbps_to_wire(l.upstream_capacity_kbps));
  w.u32(l.eligible_clients);
}
inline SupernodeLoad read_supernode_load(ByteReader& r) {
  SupernodeLoad l;
  l.clients = r.u32();
  l.client_capacity = r.u32();
  l.relay_sessions = r.u32();
  l.relay_capacity = r.u32();
  l.upstream_kbps = r.u32();
  l.upstream_capacity_kbps = r.u32();
  l.eligible_clients = r.u32();
  return l;
}

}  // namespace koe::index_wire

namespace koe::index_wire {

// A u8 count followed by that many items; false (nothing written) for more than `max`.
template <class T, class WriteOne>
bool write_list(ByteWriter& w, const std::vector<T>& items, size_t max, WriteOne&& write_one) {
  if (items.size() > max) return false;
  w.u8(static_cast<uint8_t>(items.size()));
  for (const auto& item : items) write_one(item);
  return true;
}

template <class T, class ReadOne>
std::vector<T> read_list(ByteReader& r, size_t max, ReadOne&& read_one) {
  std::vector<T> items;
  const uint8_t count = r.u8();
  if (count > max) r.fail(DecodeError::kBadFieldValue);
  for (uint8_t i = 0; i < count && !r.failed(); ++i) items.push_back(read_one());
  return items;
}

// Default-constructs alternative `index` of `Variant`, lets `read_one` fill it and
// stores it in `out`; false if `index` names no alternative (an unknown kind).
template <class Variant, class ReadOne, size_t I = 0>
bool read_alternative(size_t index, Variant& out, ReadOne&& read_one) {
  if constexpr (I < std::variant_size_v<Variant>) {
    if (index == I) {
      std::variant_alternative_t<I, Variant> value;
      read_one(value);
      out = std::move(value);
      return true;
    }
    return read_alternative<Variant, ReadOne, I + 1>(index, out, std::forward<ReadOne>(read_one));
  } else {
    return false;
  }
}

}  // namespace koe::index_wire
