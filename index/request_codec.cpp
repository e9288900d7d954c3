// The kIndexRequest codec (layout in index/messages.hpp and docs/index.md).
#include <utility>

#include "index/messages.hpp"
#include "index/wire_fields.hpp"

namespace koe {

namespace {

using namespace index_wire;

// Each returns false when a field breaks a limit the writer cannot see.
bool write_fields(ByteWriter&, const PingRequest&) { return true; }
bool write_fields(ByteWriter& w, const FindNodeRequest& b) {
  write_node_id(w, b.target);
  return true;
}
bool write_fields(ByteWriter& w, const FindRecordRequest& b) {
  write_node_id(w, b.target);
  return true;
}
bool write_fields(ByteWriter& w, const FindKeywordRequest& b) {
  write_node_id(w, b.key);
  write_keyword_entry(w, b.after);
  w.u8(b.max_hits);
  return b.max_hits != 0 && b.max_hits <= kMaxKeywordHitsPerResponse;
}
bool write_fields(ByteWriter& w, const StoreRecordRequest& b) {
  w.byte_string(b.record, kMaxRecordSize);
  return true;
}
bool write_fields(ByteWriter& w, const StoreKeywordRequest& b) {
  write_node_id(w, b.key);
  return !b.entries.empty() &&
         write_list(w, b.entries, kMaxKeywordStoreEntries, [&](const KeywordEntry& e) { write_keyword_entry(w, e); });
}
bool write_fields(ByteWriter& w, const AttachRequest& b) {
  write_flag(w, b.eligible);
  write_flag(w, b.last_resort);
  return true;
}
bool write_fields(ByteWriter& w, const KeepaliveRequest& b) {
  write_flag(w, b.eligible);
  return true;
}
bool write_fields(ByteWriter& w, const PublishRequest& b) {
  w.byte_string(b.record, kMaxRecordSize);
  return true;
}
bool write_fields(ByteWriter& w, const LookupRequest& b) {
  write_node_id(w, b.target);
  return true;
}
bool write_fields(ByteWriter& w, const SearchRequest& b) {
  w.utf8_string(b.query, kMaxQueryBytes);
  write_keyword_entry(w, b.after);
  return true;
}
bool write_fields(ByteWriter& w, const HandoverRequest& b) {
  return write_list(w, b.supernodes, kMaxAttachHints, [&](const Contact& c) { write_contact(w, c); });
}

void read_fields(ByteReader&, PingRequest&) {}
void read_fields(ByteReader& r, FindNodeRequest& b) { b.target = read_node_id(r); }
void read_fields(ByteReader& r, FindRecordRequest& b) { b.target = read_node_id(r); }
void read_fields(ByteReader& r, FindKeywordRequest& b) {
  b.key = read_node_id(r);
  b.after = read_keyword_entry(r);
  b.max_hits = r.u8();
  if (!r.failed() && (b.max_hits == 0 || b.max_hits > kMaxKeywordHitsPerResponse)) {
    r.fail(DecodeError::kBadFieldValue);
  }
}
void read_fields(ByteReader& r, StoreRecordRequest& b) { b.record = to_bytes(r.byte_string(kMaxRecordSize)); }
void read_fields(ByteReader& r, StoreKeywordRequest& b) {
  b.key = read_node_id(r);
  b.entries = read_list<KeywordEntry>(r, kMaxKeywordStoreEntries, [&] { return read_keyword_entry(r); });
  if (!r.failed() && b.entries.empty()) r.fail(DecodeError::kBadFieldValue);
}
void read_fields(ByteReader& r, AttachRequest& b) {
  b.eligible = read_flag(r);
  b.last_resort = read_flag(r);
}
void read_fields(ByteReader& r, KeepaliveRequest& b) { b.eligible = read_flag(r); }
void read_fields(ByteReader& r, PublishRequest& b) { b.record = to_bytes(r.byte_string(kMaxRecordSize)); }
void read_fields(ByteReader& r, LookupRequest& b) { b.target = read_node_id(r); }
void read_fields(ByteReader& r, SearchRequest& b) {
  b.query = r.utf8_string(kMaxQueryBytes);
  b.after = read_keyword_entry(r);
}
void read_fields(ByteReader& r, HandoverRequest& b) {
  b.supernodes = read_list<Contact>(r, kMaxAttachHints, [&] { return read_contact(r); });
}

bool write_unpadded(ByteWriter& w, const IndexRequest& request) {
  w.u8(static_cast<uint8_t>(request.body.index() + 1));
  w.u32(request.txid);
  w.u64(request.token);
  write_node_id(w, request.sender);
  w.u8(static_cast<uint8_t>(request.role));
  return std::visit([&](const auto& body) { return write_fields(w, body); }, request.body) && !w.failed();
}

}  // namespace

std::optional<Bytes> encode_request(const IndexRequest& request) {
  ByteWriter w = wire::start_packet(wire::PacketType::kIndexRequest);
  if (!write_unpadded(w, request)) return std::nullopt;
  w.byte_string(Bytes(request.padding, 0), kMaxPadding);
  return std::move(w).finish();
}

size_t unpadded_request_size(const IndexRequest& request) {
  ByteWriter w = wire::start_packet(wire::PacketType::kIndexRequest);
  return write_unpadded(w, request) ? w.size() + 2 : 0;  // + the padding's length field
}

Decoded<IndexRequest> decode_request(ByteView datagram) {
  auto reader = wire::open_packet(datagram, wire::PacketType::kIndexRequest);
  if (!reader) return reader.error();
  ByteReader& r = *reader;
  IndexRequest request;
  const uint8_t kind = r.u8();
  request.txid = r.u32();
  request.token = r.u64();
  request.sender = read_node_id(r);
  const uint8_t role = r.u8();
  if (role > static_cast<uint8_t>(SenderRole::kSupernode)) r.fail(DecodeError::kBadFieldValue);
  request.role = static_cast<SenderRole>(role);
  if (r.failed()) return r.error();
  if (kind == 0 || !read_alternative(kind - 1u, request.body, [&](auto& body) { read_fields(r, body); })) {
    return DecodeError::kBadFieldValue;
  }
  const ByteView padding = r.byte_string(kMaxPadding);
  for (const uint8_t b : padding) {
    if (b != 0) r.fail(DecodeError::kBadFieldValue);
  }
  request.padding = static_cast<uint16_t>(padding.size());
  return r.finish(std::move(request));
}

}  // namespace koe
