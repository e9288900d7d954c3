// Index message codecs: every request and response kind round-trips, decoders
// reject truncation, trailing bytes, unknown kinds, bad fields and over-long lists.
#include <gtest/gtest.h>

#include <cmath>

#include "index/messages.hpp"
#include "net/random.hpp"

namespace koe {
namespace {

NodeId id_from(SeededRandom& random) {
  NodeId id;
  random.fill(id.bytes);
  return id;
}

std::vector<IndexRequest> sample_requests() {
  SeededRandom random(3);
  const NodeId a = id_from(random), b = id_from(random);
  std::vector<RequestBody> bodies = {PingRequest{},
                                     FindNodeRequest{a},
                                     FindRecordRequest{a},
                                     FindKeywordRequest{a, KeywordEntry{b, 1'700'000'123}, 5},
                                     StoreRecordRequest{Bytes(200, 7)},
                                     StoreKeywordRequest{a, {{b, 1'700'003'600}, {a, 1'700'000'060}}},
                                     AttachRequest{},
                                     KeepaliveRequest{},
                                     PublishRequest{Bytes(150, 9)},
                                     LookupRequest{b},
                                     SearchRequest{"山田 太郎", KeywordEntry{a, 1'700'000'999}},
                                     AttachRequest{true},
                                     AttachRequest{false, true},
                                     KeepaliveRequest{true},
                                     HandoverRequest{{Contact{a, {Endpoint::make_ip(198, 51, 100, 3), 33445}}}},
                                     HandoverRequest{}};
  std::vector<IndexRequest> out;
  for (auto& body : bodies) {
    IndexRequest r;
    r.txid = static_cast<uint32_t>(random.next());
    r.token = random.next();
    r.sender = b;
    r.role = out.size() % 2 ? SenderRole::kSupernode : SenderRole::kClient;
    r.body = body;
    r.padding = static_cast<uint16_t>(out.size() * 7);
    out.push_back(r);
  }
  return out;
}

std::vector<IndexResponse> sample_responses() {
  SeededRandom random(4);
  const NodeId a = id_from(random);
  const Contact c{a, {Endpoint::make_ip(198, 51, 100, 3), 33445}};
  std::vector<ResponseBody> bodies = {PongResponse{{Endpoint::make_ip(203, 0, 113, 9), 4000}, SupernodeLoad{7, 200, 1, 20, 300, 4000, 2}},
                                      NodesResponse{std::vector<Contact>(kMaxContactsPerResponse, c)},
                                      RecordResponse{Bytes(300, 1)},
                                      KeywordHitsResponse{40, std::vector<KeywordEntry>(kMaxKeywordHitsPerResponse, KeywordEntry{a, 1'700'000'060})},
                                      StoredResponse{StoreStatus::kStale},
                                      AttachedResponse{{Endpoint::make_ip(203, 0, 113, 9), 4000}, {c, c}, std::nullopt},
                                      KeepaliveAckResponse{},
                                      PublishedResponse{8},
                                      LookupResultResponse{2, Bytes(120, 3)},
                                      LookupResultResponse{1, std::nullopt},
                                      SearchResultResponse{12, KeywordEntry{a, 1'700'000'999}, {Bytes(100, 1), Bytes(90, 2)}},
                                      SearchResultResponse{2, std::nullopt, {Bytes(100, 1)}},
                                      ErrorResponse{ErrorCode::kNeedToken},
                                      AttachedResponse{{Endpoint::make_ip(203, 0, 113, 9), 4000},
                                                       std::vector<Contact>(kMaxAttachHints, c), PublicKey{7, 7, 7},
                                                       SupernodeLoad{140, 200, 3, 20, 812, 4000, 17}},
                                      KeepaliveAckResponse{SupernodeLoad{UINT32_MAX, 1, 2, 3, 4, UINT32_MAX, 5}},
                                      ErrorResponse{ErrorCode::kFull},
                                      ErrorResponse{ErrorCode::kFull, std::vector<Contact>(kMaxAttachHints, c)},
                                      HandoverAckResponse{}};
  std::vector<IndexResponse> out;
  for (auto& body : bodies) out.push_back(IndexResponse{static_cast<uint32_t>(random.next()), a, random.next(), body});
  return out;
}

TEST(IndexMessages, EveryRequestKindRoundTrips) {
  for (const IndexRequest& r : sample_requests()) {
    const auto bytes = encode_request(r);
    ASSERT_TRUE(bytes) << r.body.index();
    const auto decoded = decode_request(*bytes);
    ASSERT_TRUE(decoded) << r.body.index() << " " << to_string(decoded.error());
    EXPECT_EQ(*decoded, r);
    EXPECT_EQ(unpadded_request_size(r) + r.padding, bytes->size());
  }
}

TEST(IndexMessages, EveryResponseKindRoundTrips) {
  for (const IndexResponse& r : sample_responses()) {
    const auto bytes = encode_response(r);
    ASSERT_TRUE(bytes) << r.body.index();
    const auto decoded = decode_response(*bytes);
    ASSERT_TRUE(decoded) << r.body.index() << " " << to_string(decoded.error());
    EXPECT_EQ(*decoded, r);
  }
}

TEST(IndexMessages, RejectTruncationAtEveryOffsetAndTrailingBytes) {
  for (const IndexRequest& r : sample_requests()) {
    const Bytes bytes = *encode_request(r);
    for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(decode_request(ByteView(bytes).first(n))) << n;
    Bytes longer = bytes;
    longer.push_back(0);
    EXPECT_EQ(decode_request(longer).error(), DecodeError::kTrailingBytes);
  }
  for (const IndexResponse& r : sample_responses()) {
    const Bytes bytes = *encode_response(r);
    for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(decode_response(ByteView(bytes).first(n))) << n;
    Bytes longer = bytes;
    longer.push_back(0);
    EXPECT_EQ(decode_response(longer).error(), DecodeError::kTrailingBytes);
  }
}

TEST(IndexMessages, RejectUnknownKindsAndWrongPacketType) {
  Bytes request = *encode_request(sample_requests()[0]);
  request[3] = 0;
  EXPECT_EQ(decode_request(request).error(), DecodeError::kBadFieldValue);
  request[3] = std::variant_size_v<RequestBody> + 1;
  EXPECT_EQ(decode_request(request).error(), DecodeError::kBadFieldValue);
  const Bytes response = *encode_response(sample_responses()[0]);
  EXPECT_EQ(decode_request(response).error(), DecodeError::kWrongType);
  Bytes bad_response = response;
  bad_response[3] = std::variant_size_v<ResponseBody> + 1;
  EXPECT_EQ(decode_response(bad_response).error(), DecodeError::kBadFieldValue);
}

TEST(IndexMessages, PaddingMustBeZeros) {
  IndexRequest r = sample_requests()[0];
  r.padding = 8;
  Bytes bytes = *encode_request(r);
  bytes.back() = 1;
  EXPECT_EQ(decode_request(bytes).error(), DecodeError::kBadFieldValue);
}

TEST(IndexMessages, EncodersRefuseOverLongListsAndBadFields) {
  IndexResponse r = sample_responses()[1];
  std::get<NodesResponse>(r.body).contacts.push_back(std::get<NodesResponse>(r.body).contacts[0]);
  EXPECT_FALSE(encode_response(r));
  IndexRequest q = sample_requests()[3];
  std::get<FindKeywordRequest>(q.body).max_hits = 0;
  EXPECT_FALSE(encode_request(q));
  q = sample_requests()[5];
  std::get<StoreKeywordRequest>(q.body).entries.clear();
  EXPECT_FALSE(encode_request(q));
  q = sample_requests()[10];
  std::get<SearchRequest>(q.body).query = std::string(kMaxQueryBytes + 1, 'a');
  EXPECT_FALSE(encode_request(q));
  // A search page that would not fit one datagram does not encode.
  IndexResponse big = sample_responses()[10];
  ASSERT_TRUE(std::holds_alternative<SearchResultResponse>(big.body));
  std::get<SearchResultResponse>(big.body).records.assign(kMaxSearchRecords, Bytes(kMaxRecordSize, 1));
  EXPECT_FALSE(encode_response(big));
}

TEST(IndexMessages, DecoderRejectsOverLongListCounts) {
  IndexResponse r = sample_responses()[1];
  Bytes bytes = *encode_response(r);
  const size_t count_at = wire::kHeaderSize + 1 + 4 + kNodeIdSize + 8;
  ASSERT_EQ(bytes[count_at], kMaxContactsPerResponse);
  bytes[count_at] = kMaxContactsPerResponse + 1;
  bytes.insert(bytes.end(), kContactWireSize, 1);
  EXPECT_EQ(decode_response(bytes).error(), DecodeError::kBadFieldValue);
}

// Where a response's kind fields start (after kind, txid, responder and token).
constexpr size_t kResponseFieldsAt = wire::kHeaderSize + 1 + 4 + kNodeIdSize + 8;
// Where a request's kind fields start (after kind, txid, token, sender and role).
constexpr size_t kRequestFieldsAt = wire::kHeaderSize + 1 + 4 + 8 + kNodeIdSize + 1;

IndexRequest request_with(RequestBody body) {
  IndexRequest r;
  r.txid = 7;
  r.body = std::move(body);
  return r;
}

TEST(IndexMessages, FlagsAreOneByteZeroOrOneEach) {
  // Attach: eligible, last resort; keepalive: eligible. Then the padding length.
  const std::pair<RequestBody, size_t> cases[] = {{AttachRequest{true, true}, 2}, {KeepaliveRequest{true}, 1}};
  for (const auto& [body, flags] : cases) {
    const Bytes bytes = *encode_request(request_with(body));
    EXPECT_EQ(bytes.size(), kRequestFieldsAt + flags + 2);
    for (size_t i = 0; i < flags; ++i) {
      ASSERT_EQ(bytes[kRequestFieldsAt + i], 1);
      Bytes unknown = bytes;
      unknown[kRequestFieldsAt + i] = 2;
      EXPECT_EQ(decode_request(unknown).error(), DecodeError::kBadFieldValue);
    }
  }
}

TEST(IndexMessages, LoadReportIsSevenU32WithRoundedClampedRates) {
  SupernodeLoad load{1, 2, 3, 4, 811.5, 1e12, 7};
  const IndexResponse ack{9, NodeId{}, 1, KeepaliveAckResponse{load}};
  const Bytes bytes = *encode_response(ack);
  EXPECT_EQ(bytes.size(), kResponseFieldsAt + 7 * 4);
  const auto decoded = decode_response(bytes);
  ASSERT_TRUE(decoded);
  const SupernodeLoad got = std::get<KeepaliveAckResponse>(decoded->body).load;
  EXPECT_EQ(got.clients, 1u);
  EXPECT_EQ(got.relay_capacity, 4u);
  EXPECT_EQ(got.upstream_kbps, 812);                  // rounded
  EXPECT_EQ(got.upstream_capacity_kbps, UINT32_MAX);  // clamped
  EXPECT_EQ(got.eligible_clients, 7u);
  load.upstream_kbps = -5;
  load.upstream_capacity_kbps = std::nan("");
  const auto odd = decode_response(*encode_response(IndexResponse{9, NodeId{}, 1, KeepaliveAckResponse{load}}));
  ASSERT_TRUE(odd);
  EXPECT_EQ(std::get<KeepaliveAckResponse>(odd->body).load.upstream_kbps, 0);
  EXPECT_EQ(std::get<KeepaliveAckResponse>(odd->body).load.upstream_capacity_kbps, 0);
}

TEST(IndexMessages, HandoverHintsAreLimited) {
  const Contact c{NodeId{}, {Endpoint::make_ip(198, 51, 100, 3), 33445}};
  EXPECT_FALSE(encode_request(request_with(HandoverRequest{std::vector<Contact>(kMaxAttachHints + 1, c)})));
  Bytes bytes = *encode_request(request_with(HandoverRequest{std::vector<Contact>(kMaxAttachHints, c)}));
  ASSERT_EQ(bytes[kRequestFieldsAt], kMaxAttachHints);
  bytes[kRequestFieldsAt] = kMaxAttachHints + 1;
  bytes.insert(bytes.begin() + static_cast<ptrdiff_t>(kRequestFieldsAt + 1), kContactWireSize, 1);
  EXPECT_EQ(decode_request(bytes).error(), DecodeError::kBadFieldValue);
  // A hint must be answerable.
  Bytes zero_ip = *encode_request(request_with(HandoverRequest{{c}}));
  std::fill_n(zero_ip.begin() + static_cast<ptrdiff_t>(kRequestFieldsAt + 1 + kNodeIdSize), 4, 0);
  EXPECT_EQ(decode_request(zero_ip).error(), DecodeError::kBadFieldValue);
}

TEST(IndexMessages, ErrorCodesBeyondFullAreRejected) {
  Bytes bytes = *encode_response(IndexResponse{1, NodeId{}, 1, ErrorResponse{ErrorCode::kFull}});
  ASSERT_EQ(bytes.back(), 0);  // no alternatives
  uint8_t& code = bytes[bytes.size() - 2];
  ASSERT_EQ(code, 5);
  code = kMaxErrorCode + 1;
  EXPECT_EQ(decode_response(bytes).error(), DecodeError::kBadFieldValue);
}

}  // namespace
}  // namespace koe
