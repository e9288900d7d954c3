// Global Index messages (owner of wire::PacketType::kIndexRequest and
// kIndexResponse): supernode-to-supernode RPCs, the requests an ordinary node sends
// to its supernode and the handover a leaving supernode sends its clients. Plain
// values and pure codecs; any thread.
//
// Request body:  kind u8 | txid u32 | token u64 (0: none) | sender id [20] | role u8
//                | kind's fields | padding (u16 length, that many zero bytes)
// Response body: kind u8 | txid u32 | responder id [20] | token u64 (for the
//                requester's next requests) | kind's fields
// A request's kind is its index in RequestBody plus one, a response's its index in
// ResponseBody plus one. docs/index.md lists every field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "index/contact.hpp"
#include "net/identity.hpp"
#include "index/name_search.hpp"  // kMaxQueryBytes
#include "index/presence_record.hpp"
#include "index/supernode_load.hpp"
#include "net/bytes.hpp"
#include "net/decode_result.hpp"
#include "net/wire.hpp"

namespace koe {

inline constexpr size_t kMaxContactsPerResponse = 8;   // = the largest replication factor
inline constexpr size_t kMaxKeywordHitsPerResponse = 8;
inline constexpr size_t kMaxKeywordStoreEntries = 16;
inline constexpr size_t kMaxAttachHints = 4;           // fallback supernodes for a client
inline constexpr size_t kMaxSearchRecords = 8;         // per page (the datagram cap binds first)
inline constexpr size_t kMaxPadding = wire::kMaxDatagramSize;

enum class SenderRole : uint8_t { kClient = 0, kSupernode = 1 };

// A user indexed under a keyword until its record expires. Every holder orders
// its entries by (expires_at descending, user), so the most recently published
// come first and pages from different holders agree.
struct KeywordEntry {
  NodeId user;
  uint64_t expires_at = 0;  // Unix seconds, the record's own expiry
  friend bool operator==(const KeywordEntry&, const KeywordEntry&) = default;
};
bool keyword_order(const KeywordEntry& a, const KeywordEntry& b);
// Pages of keyword entries and search results continue after a cursor: the last
// entry of the previous page (a position, so holders missing an entry do not
// shift the pages). kSearchStart comes before every entry.
using SearchCursor = KeywordEntry;
inline constexpr SearchCursor kSearchStart{NodeId{}, UINT64_MAX};
struct FindKeywordRequest {  // users indexed under key after a cursor, else closest contacts
  NodeId key;
  SearchCursor after = kSearchStart;
  uint8_t max_hits = kMaxKeywordHitsPerResponse;  // 1..kMaxKeywordHitsPerResponse
  friend bool operator==(const FindKeywordRequest&, const FindKeywordRequest&) = default;
};
// --- Supernode-to-supernode RPCs.
struct PingRequest {
  friend bool operator==(const PingRequest&, const PingRequest&) = default;
};
struct FindNodeRequest {  // the responder's closest contacts to target
  NodeId target;
  friend bool operator==(const FindNodeRequest&, const FindNodeRequest&) = default;
};
struct FindRecordRequest {  // the record stored under target, else closest contacts
  NodeId target;
  friend bool operator==(const FindRecordRequest&, const FindRecordRequest&) = default;
};
struct StoreRecordRequest {  // needs a valid token
  Bytes record;
  friend bool operator==(const StoreRecordRequest&, const StoreRecordRequest&) = default;
};
struct StoreKeywordRequest {  // needs a valid token; replicas repair in batches
  NodeId key;
  std::vector<KeywordEntry> entries;  // 1..kMaxKeywordStoreEntries
  friend bool operator==(const StoreKeywordRequest&, const StoreKeywordRequest&) = default;
};
// --- An ordinary node to its supernode.
struct AttachRequest {
  bool eligible = false;  // the client could serve as a supernode (the load report counts it)
  // Every supernode the client knows said kFull: take it over capacity (up to the hard
  // limit), since a user left without a supernode is worse than a busy one.
  bool last_resort = false;
  friend bool operator==(const AttachRequest&, const AttachRequest&) = default;
};
struct KeepaliveRequest {
  bool eligible = false;
  friend bool operator==(const KeepaliveRequest&, const KeepaliveRequest&) = default;
};
struct PublishRequest {  // the client's own signed record; needs a valid token
  Bytes record;
  friend bool operator==(const PublishRequest&, const PublishRequest&) = default;
};
struct LookupRequest {  // resolve target's record through the overlay
  NodeId target;
  friend bool operator==(const LookupRequest&, const LookupRequest&) = default;
};
struct SearchRequest {  // name search, one page after a cursor
  std::string query;  // <= kMaxQueryBytes
  SearchCursor after = kSearchStart;
  friend bool operator==(const SearchRequest&, const SearchRequest&) = default;
};

// --- A supernode to its attached clients.
struct HandoverRequest {  // it is leaving: attach elsewhere, these first
  std::vector<Contact> supernodes;  // <= kMaxAttachHints
  friend bool operator==(const HandoverRequest&, const HandoverRequest&) = default;
};

using RequestBody = std::variant<PingRequest, FindNodeRequest, FindRecordRequest, FindKeywordRequest,
                                 StoreRecordRequest, StoreKeywordRequest, AttachRequest, KeepaliveRequest,
                                 PublishRequest, LookupRequest, SearchRequest, HandoverRequest>;

struct IndexRequest {
  uint32_t txid = 0;   // echoed in the response
  uint64_t token = 0;  // the responder's address token for us, 0 if we have none
  NodeId sender;
  SenderRole role = SenderRole::kClient;
  RequestBody body;
  // Zero bytes that make a request from an unproven source big enough to pay for its
  // response (the responder answers it with at most kAmplificationFactor times its size).
  uint16_t padding = 0;
  friend bool operator==(const IndexRequest&, const IndexRequest&) = default;
};

// --- Responses.
struct PongResponse {
  Endpoint observed;  // the request's source as the responder saw it
  SupernodeLoad load;  // the responder's (supernodes learn each other's load from pings)
  friend bool operator==(const PongResponse&, const PongResponse&) = default;
};
struct NodesResponse {
  std::vector<Contact> contacts;  // <= kMaxContactsPerResponse, closest first
  friend bool operator==(const NodesResponse&, const NodesResponse&) = default;
};
struct RecordResponse {
  Bytes record;
  friend bool operator==(const RecordResponse&, const RecordResponse&) = default;
};
struct KeywordHitsResponse {
  uint16_t total = 0;              // entries the responder holds under the key
  std::vector<KeywordEntry> hits;  // <= kMaxKeywordHitsPerResponse, in keyword_order
  friend bool operator==(const KeywordHitsResponse&, const KeywordHitsResponse&) = default;
};
enum class StoreStatus : uint8_t {
  kStored = 0,     // new or newer
  kUnchanged = 1,  // already held (expiry refreshed)
  kStale = 2,      // an equal or newer sequence is held
  kInvalid = 3,    // failed verification or limits
  kFull = 4,       // the store is at its cap
};
inline constexpr uint8_t kMaxStoreStatus = 4;
struct StoredResponse {
  StoreStatus status = StoreStatus::kStored;
  friend bool operator==(const StoredResponse&, const StoredResponse&) = default;
};
struct AttachedResponse {
  Endpoint observed;
  std::vector<Contact> supernodes;  // <= kMaxAttachHints fallbacks
  // The supernode's identity key (its ID derives from it): the client opens a secure
  // session with it at once, without first looking up its record.
  std::optional<PublicKey> key;
  SupernodeLoad load{};  // the supernode's load report
  friend bool operator==(const AttachedResponse&, const AttachedResponse&) = default;
};
struct KeepaliveAckResponse {
  SupernodeLoad load{};
  friend bool operator==(const KeepaliveAckResponse&, const KeepaliveAckResponse&) = default;
};
struct PublishedResponse {
  uint8_t replicas = 0;  // supernodes the record was sent to
  friend bool operator==(const PublishedResponse&, const PublishedResponse&) = default;
};
struct LookupResultResponse {
  uint8_t hops = 0;             // overlay hops the supernode needed
  std::optional<Bytes> record;  // absent: not found
  friend bool operator==(const LookupResultResponse&, const LookupResultResponse&) = default;
};
struct SearchResultResponse {
  uint16_t total = 0;        // keyword entries found (before filtering)
  std::optional<SearchCursor> next;  // where the next page starts; absent on the last page
  std::vector<Bytes> records;
  friend bool operator==(const SearchResultResponse&, const SearchResultResponse&) = default;
};
enum class ErrorCode : uint8_t {
  kNeedToken = 1,    // the answer would amplify: retry with the token in this response
  kNotAttached = 2,  // a client request before Attach
  kBadRequest = 3,   // well-formed but unacceptable (bad record, bad query)
  kBusy = 4,         // too many operations in progress
  kFull = 5,         // Attach: no room for a new client (or leaving): try the next supernode
};
inline constexpr uint8_t kMaxErrorCode = 5;
struct ErrorResponse {
  ErrorCode code = ErrorCode::kBadRequest;
  // kFull: other supernodes to try (<= kMaxAttachHints), so that a newcomer whose only
  // bootstrap supernode is full still finds one with room.
  std::vector<Contact> alternatives{};
  friend bool operator==(const ErrorResponse&, const ErrorResponse&) = default;
};

struct HandoverAckResponse {  // a client's answer to HandoverRequest
  friend bool operator==(const HandoverAckResponse&, const HandoverAckResponse&) = default;
};

using ResponseBody = std::variant<PongResponse, NodesResponse, RecordResponse, KeywordHitsResponse,
                                  StoredResponse, AttachedResponse, KeepaliveAckResponse, PublishedResponse,
                                  LookupResultResponse, SearchResultResponse, ErrorResponse, HandoverAckResponse>;

struct IndexResponse {
  uint32_t txid = 0;
  NodeId responder;
  uint64_t token = 0;  // proves the requester's address in its next requests
  ResponseBody body;
  friend bool operator==(const IndexResponse&, const IndexResponse&) = default;
};

// Whole datagrams (common header included). Encoders return nullopt when a field
// breaks its limit or the datagram would exceed wire::kMaxDatagramSize.
std::optional<Bytes> encode_request(const IndexRequest& request);
Decoded<IndexRequest> decode_request(ByteView datagram);
std::optional<Bytes> encode_response(const IndexResponse& response);
Decoded<IndexResponse> decode_response(ByteView datagram);

// Size of the encoded request without padding, or 0 if it does not encode.
size_t unpadded_request_size(const IndexRequest& request);

}  // namespace koe
