// The kIndexResponse codec (layout in index/messages.hpp and docs/index.md).
#include <utility>

#include "index/id_order.hpp"
#include "index/messages.hpp"
#include "index/wire_fields.hpp"

namespace koe {

namespace {

using namespace index_wire;

bool write_fields(ByteWriter& w, const PongResponse& b) {
  write_endpoint(w, b.observed);
  write_supernode_load(w, b.load);
  return true;
}
bool write_fields(ByteWriter& w, const NodesResponse& b) {
  return write_list(w, b.contacts, kMaxContactsPerResponse, [&](const Contact& c) { write_contact(w, c); });
}
bool write_fields(ByteWriter& w, const RecordResponse& b) {
  w.byte_string(b.record, kMaxRecordSize);
  return true;
}
bool write_fields(ByteWriter& w, const KeywordHitsResponse& b) {
  w.u16(b.total);
  return write_list(w, b.hits, kMaxKeywordHitsPerResponse, [&](const KeywordEntry& e) { write_keyword_entry(w, e); });
}
bool write_fields(ByteWriter& w, const StoredResponse& b) {
  w.u8(static_cast<uint8_t>(b.status));
  return true;
}
bool write_fields(ByteWriter& w, const AttachedResponse& b) {
  write_endpoint(w, b.observed);
  if (!write_list(w, b.supernodes, kMaxAttachHints, [&](const Contact& c) { write_contact(w, c); })) return false;
  w.u8(b.key ? 1 : 0);
  if (b.key) w.bytes(*b.key);
  write_supernode_load(w, b.load);
  return true;
}
bool write_fields(ByteWriter& w, const KeepaliveAckResponse& b) {
  write_supernode_load(w, b.load);
  return true;
}
bool write_fields(ByteWriter& w, const PublishedResponse& b) {
  w.u8(b.replicas);
  return true;
}
bool write_fields(ByteWriter& w, const LookupResultResponse& b) {
  w.u8(b.hops);
  w.u8(b.record ? 1 : 0);
  if (b.record) w.byte_string(*b.record, kMaxRecordSize);
  return true;
}
bool write_fields(ByteWriter& w, const SearchResultResponse& b) {
  w.u16(b.total);
  w.u8(b.next ? 1 : 0);
  if (b.next) write_keyword_entry(w, *b.next);
  return write_list(w, b.records, kMaxSearchRecords, [&](const Bytes& rec) { w.byte_string(rec, kMaxRecordSize); });
}
bool write_fields(ByteWriter& w, const ErrorResponse& b) {
  w.u8(static_cast<uint8_t>(b.code));
  return write_list(w, b.alternatives, kMaxAttachHints, [&](const Contact& c) { write_contact(w, c); });
}
bool write_fields(ByteWriter&, const HandoverAckResponse&) { return true; }

void read_fields(ByteReader& r, PongResponse& b) {
  b.observed = read_endpoint(r);
  b.load = read_supernode_load(r);
}
void read_fields(ByteReader& r, NodesResponse& b) {
  b.contacts = read_list<Contact>(r, kMaxContactsPerResponse, [&] { return read_contact(r); });
}
void read_fields(ByteReader& r, RecordResponse& b) { b.record = to_bytes(r.byte_string(kMaxRecordSize)); }
void read_fields(ByteReader& r, KeywordHitsResponse& b) {
  b.total = r.u16();
  b.hits = read_list<KeywordEntry>(r, kMaxKeywordHitsPerResponse, [&] { return read_keyword_entry(r); });
}
void read_fields(ByteReader& r, StoredResponse& b) {
  const uint8_t status = r.u8();
  if (status > kMaxStoreStatus) r.fail(DecodeError::kBadFieldValue);
  b.status = static_cast<StoreStatus>(status);
}
void read_fields(ByteReader& r, AttachedResponse& b) {
  b.observed = read_endpoint(r);
  b.supernodes = read_list<Contact>(r, kMaxAttachHints, [&] { return read_contact(r); });
  const uint8_t has_key = r.u8();
  if (has_key > 1) r.fail(DecodeError::kBadFieldValue);
  if (has_key == 1) b.key = r.array<kPublicKeySize>();
  b.load = read_supernode_load(r);
}
void read_fields(ByteReader& r, KeepaliveAckResponse& b) { b.load = read_supernode_load(r); }
void read_fields(ByteReader& r, PublishedResponse& b) { b.replicas = r.u8(); }
void read_fields(ByteReader& r, LookupResultResponse& b) {
  b.hops = r.u8();
  const uint8_t found = r.u8();
  if (found > 1) r.fail(DecodeError::kBadFieldValue);
  if (found == 1) b.record = to_bytes(r.byte_string(kMaxRecordSize));
}
void read_fields(ByteReader& r, SearchResultResponse& b) {
  b.total = r.u16();
  const uint8_t more = r.u8();
  if (more > 1) r.fail(DecodeError::kBadFieldValue);
  if (more == 1) b.next = read_keyword_entry(r);
  b.records = read_list<Bytes>(r, kMaxSearchRecords, [&] { return to_bytes(r.byte_string(kMaxRecordSize)); });
}
void read_fields(ByteReader& r, ErrorResponse& b) {
  const uint8_t code = r.u8();
  if (code == 0 || code > kMaxErrorCode) r.fail(DecodeError::kBadFieldValue);
  b.code = static_cast<ErrorCode>(code);
  b.alternatives = read_list<Contact>(r, kMaxAttachHints, [&] { return read_contact(r); });
}
void read_fields(ByteReader&, HandoverAckResponse&) {}

}  // namespace

std::optional<Bytes> encode_response(const IndexResponse& response) {
  ByteWriter w = wire::start_packet(wire::PacketType::kIndexResponse);
  w.u8(static_cast<uint8_t>(response.body.index() + 1));
  w.u32(response.txid);
  write_node_id(w, response.responder);
  w.u64(response.token);
  if (!std::visit([&](const auto& body) { return write_fields(w, body); }, response.body)) return std::nullopt;
  return std::move(w).finish();
}

bool keyword_order(const KeywordEntry& a, const KeywordEntry& b) {
  return a.expires_at != b.expires_at ? a.expires_at > b.expires_at : id_less(a.user, b.user);
}

Decoded<IndexResponse> decode_response(ByteView datagram) {
  auto reader = wire::open_packet(datagram, wire::PacketType::kIndexResponse);
  if (!reader) return reader.error();
  ByteReader& r = *reader;
  IndexResponse response;
  const uint8_t kind = r.u8();
  response.txid = r.u32();
  response.responder = read_node_id(r);
  response.token = r.u64();
  if (r.failed()) return r.error();
  if (kind == 0 || !read_alternative(kind - 1u, response.body, [&](auto& body) { read_fields(r, body); })) {
    return DecodeError::kBadFieldValue;
  }
  return r.finish(std::move(response));
}

}  // namespace koe
