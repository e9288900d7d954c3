// The supernode core on hand-made datagrams: address tokens before stores,
// signature and ID checks, newer sequences, expiry, rate limits, no
// amplification toward unproven sources, the attached-client requests, load
// reports, the kFull refusal and the graceful handover.
#include <gtest/gtest.h>

#include <map>

#include "index/index_node.hpp"
#include "tests/unit/index_test_support.hpp"

namespace koe {
namespace {

using index_test::kNowUnix;
using index_test::record_for;
using std::chrono::seconds;

constexpr Endpoint kAlice{Endpoint::make_ip(203, 0, 113, 7), 40000};
constexpr Endpoint kMallory{Endpoint::make_ip(203, 0, 113, 66), 40000};

class IndexNodeTest : public ::testing::Test {
 protected:
  IndexNodeTest() : node(node_id(), random, config()) { node.bootstrap(now, {}); }

  static NodeId node_id() {
    NodeId id;
    id.bytes.fill(0x42);
    return id;
  }
  static IndexNodeConfig config() {
    IndexNodeConfig c;
    c.wall_clock_offset = seconds(kNowUnix);  // virtual time zero is kNowUnix
    c.rate = RateLimiterConfig{50, 100, 64};
    c.public_key = PublicKey{0x42};  // the largest attach answer: with the key
    return c;
  }

  // Sends `body` from `from` and returns the one answer.
  IndexResponse ask(const Endpoint& from, RequestBody body, uint64_t token = 0, SenderRole role = SenderRole::kClient,
                    const NodeId& sender = NodeId{}, uint16_t padding = 0) {
    IndexRequest request;
    request.txid = ++txid;
    request.token = token;
    request.sender = sender;
    request.role = role;
    request.body = std::move(body);
    request.padding = padding;
    const Bytes bytes = *encode_request(request);
    node.on_datagram(now, from, bytes);
    auto out = node.take_outbox();
    EXPECT_EQ(out.size(), 1u);
    if (out.empty()) return {};
    EXPECT_EQ(out[0].to, from);
    last_request_size = bytes.size();
    last_response_size = out[0].bytes.size();
    auto response = decode_response(out[0].bytes);
    EXPECT_TRUE(response);
    EXPECT_EQ(response->txid, request.txid);
    return *response;
  }
  uint64_t token_for(const Endpoint& from) { return ask(from, PingRequest{}).token; }
  Bytes signed_record(const PresenceRecord& r) { return *sign_record(r, alice); }

  SeededRandom random{21};
  sim::PlainKeySigner alice{random};
  sim::PlainKeySigner bob{random};
  TimePoint now{};
  IndexNode node;
  uint32_t txid = 0;
  size_t last_request_size = 0;
  size_t last_response_size = 0;
};

TEST_F(IndexNodeTest, PingIsAnsweredWithTheObservedEndpointAndAToken) {
  const IndexResponse r = ask(kAlice, PingRequest{});
  ASSERT_TRUE(std::holds_alternative<PongResponse>(r.body));
  EXPECT_EQ(std::get<PongResponse>(r.body).observed, kAlice);
  EXPECT_NE(r.token, 0u);
  EXPECT_EQ(r.responder, node.id());
}

TEST_F(IndexNodeTest, StoreNeedsATokenProvingTheSourceAddress) {
  const Bytes record = signed_record(record_for(alice));
  IndexResponse r = ask(kAlice, StoreRecordRequest{record});
  ASSERT_TRUE(std::holds_alternative<ErrorResponse>(r.body));
  EXPECT_EQ(std::get<ErrorResponse>(r.body).code, ErrorCode::kNeedToken);
  EXPECT_EQ(node.records().size(), 0u);
  // Another address's token proves nothing.
  r = ask(kAlice, StoreRecordRequest{record}, token_for(kMallory));
  EXPECT_EQ(std::get<ErrorResponse>(r.body).code, ErrorCode::kNeedToken);
  r = ask(kAlice, StoreRecordRequest{record}, token_for(kAlice));
  EXPECT_EQ(std::get<StoredResponse>(r.body).status, StoreStatus::kStored);
  EXPECT_EQ(node.records().size(), 1u);
}

TEST_F(IndexNodeTest, TokensExpireAfterTwoRotations) {
  const uint64_t token = token_for(kAlice);
  now += seconds(301);
  node.on_timer(now);  // first rotation: the old token still counts
  const StoreKeywordRequest store{NodeId{}, {{NodeId{}, kNowUnix + 3600}}};
  EXPECT_TRUE(std::holds_alternative<StoredResponse>(ask(kAlice, store, token).body));
  now += seconds(301);
  node.on_timer(now);
  EXPECT_TRUE(std::holds_alternative<ErrorResponse>(ask(kAlice, store, token).body));
}

TEST_F(IndexNodeTest, StoresVerifySignatureIdAndExpiry) {
  const uint64_t token = token_for(kAlice);
  Bytes tampered = signed_record(record_for(alice));
  tampered[tampered.size() - 1] ^= 1;
  EXPECT_EQ(std::get<StoredResponse>(ask(kAlice, StoreRecordRequest{tampered}, token).body).status, StoreStatus::kInvalid);
  PresenceRecord stolen = record_for(alice);
  stolen.id = node_id_from_public_key(bob.public_key());
  EXPECT_EQ(std::get<StoredResponse>(ask(kAlice, StoreRecordRequest{signed_record(stolen)}, token).body).status,
            StoreStatus::kInvalid);
  PresenceRecord expired = record_for(alice);
  expired.expires_at = kNowUnix - 1;
  EXPECT_EQ(std::get<StoredResponse>(ask(kAlice, StoreRecordRequest{signed_record(expired)}, token).body).status,
            StoreStatus::kInvalid);
  EXPECT_EQ(node.records().size(), 0u);
  EXPECT_EQ(node.counters().invalid_records, 3u);
}

TEST_F(IndexNodeTest, NewerSequenceWinsAndExpiredRecordsDisappear) {
  const uint64_t token = token_for(kAlice);
  const NodeId id = node_id_from_public_key(alice.public_key());
  PresenceRecord r = record_for(alice, "Alice", 1);
  r.expires_at = kNowUnix + 60;
  ask(kAlice, StoreRecordRequest{signed_record(r)}, token);
  r.sequence = 2;
  const Bytes newer = signed_record(r);
  EXPECT_EQ(std::get<StoredResponse>(ask(kAlice, StoreRecordRequest{newer}, token).body).status, StoreStatus::kStored);
  r.sequence = 1;
  EXPECT_EQ(std::get<StoredResponse>(ask(kAlice, StoreRecordRequest{signed_record(r)}, token).body).status,
            StoreStatus::kStale);
  IndexResponse found = ask(kAlice, FindRecordRequest{id}, token);
  ASSERT_TRUE(std::holds_alternative<RecordResponse>(found.body));
  EXPECT_EQ(std::get<RecordResponse>(found.body).record, newer);
  now += seconds(61);
  node.on_timer(now);
  found = ask(kAlice, FindRecordRequest{id}, token_for(kAlice));
  EXPECT_TRUE(std::holds_alternative<NodesResponse>(found.body));
  EXPECT_EQ(node.records().size(), 0u);
}

TEST_F(IndexNodeTest, PerSourceRateLimitDropsTheExcess) {
  size_t answered = 0;
  for (int i = 0; i < 150; ++i) {
    IndexRequest request;
    request.txid = static_cast<uint32_t>(i + 1);
    request.body = PingRequest{};
    node.on_datagram(now, kMallory, *encode_request(request));
    answered += node.take_outbox().size();
  }
  EXPECT_EQ(answered, 100u);  // the burst
  EXPECT_EQ(node.counters().rate_limited, 50u);
  // Another source is not affected, and the limit refills with time.
  EXPECT_TRUE(std::holds_alternative<PongResponse>(ask(kAlice, PingRequest{}).body));
  now += seconds(1);
  EXPECT_TRUE(std::holds_alternative<PongResponse>(ask(kMallory, PingRequest{}).body));
}

TEST_F(IndexNodeTest, AnswersToUnprovenSourcesNeverAmplify) {
  // Fill the node: supernode contacts, a record, and keyword entries.
  SeededRandom ids(5);
  for (uint32_t i = 0; i < 40; ++i) {
    const Endpoint sn{Endpoint::make_ip(198, 51, 100, 1) + i, 33445};
    NodeId sender;
    ids.fill(sender.bytes);
    ask(sn, PingRequest{}, token_for(sn), SenderRole::kSupernode, sender);
  }
  ASSERT_GE(node.routing().size(), 8u);
  const NodeId alice_id = node_id_from_public_key(alice.public_key());
  ask(kAlice, StoreRecordRequest{signed_record(record_for(alice, std::string(kMaxDisplayNameBytes, 'a')))}, token_for(kAlice));
  for (uint8_t u = 0; u < 30; ++u) ask(kAlice, StoreKeywordRequest{NodeId{}, {{NodeId{{u}}, kNowUnix + 60}}}, token_for(kAlice));

  const std::vector<RequestBody> requests = {
      PingRequest{}, FindNodeRequest{alice_id}, FindRecordRequest{alice_id}, FindKeywordRequest{NodeId{}, kSearchStart, kMaxKeywordHitsPerResponse},
      AttachRequest{}, KeepaliveRequest{}, LookupRequest{alice_id}, SearchRequest{"a"},
      StoreRecordRequest{Bytes(10, 1)}};
  for (size_t i = 0; i < requests.size(); ++i) {
    for (const uint16_t padding : {0, 30, 60, 81, 120}) {
      const Endpoint spoofed{Endpoint::make_ip(192, 0, 2, 1), static_cast<uint16_t>(1000 + i * 10 + padding)};
      ask(spoofed, requests[i], 0, SenderRole::kSupernode, NodeId{}, padding);
      EXPECT_LE(last_response_size, kAmplificationFactor * last_request_size) << "request " << i << " padding " << padding;
    }
  }
  // With the padding a supernode adds when it has no token, the real answers fit.
  const IndexResponse nodes = ask(kMallory, FindNodeRequest{alice_id}, 0, SenderRole::kSupernode, NodeId{}, 70);
  ASSERT_TRUE(std::holds_alternative<NodesResponse>(nodes.body));
  EXPECT_EQ(std::get<NodesResponse>(nodes.body).contacts.size(), 8u);
  EXPECT_GT(node.counters().need_token, 0u);
}

TEST_F(IndexNodeTest, ClientsAttachPublishLookUpAndSearch) {
  const NodeId alice_id = node_id_from_public_key(alice.public_key());
  // Before attaching, requests are refused.
  IndexResponse r = ask(kAlice, LookupRequest{alice_id}, token_for(kAlice), SenderRole::kClient, alice_id);
  EXPECT_EQ(std::get<ErrorResponse>(r.body).code, ErrorCode::kNotAttached);
  r = ask(kAlice, AttachRequest{}, 0, SenderRole::kClient, alice_id, 30);
  ASSERT_TRUE(std::holds_alternative<AttachedResponse>(r.body));
  EXPECT_EQ(std::get<AttachedResponse>(r.body).observed, kAlice);
  EXPECT_EQ(std::get<AttachedResponse>(r.body).key, PublicKey{0x42});
  const uint64_t token = r.token;
  EXPECT_EQ(node.attached_clients(), 1u);

  // A client may publish only its own record. (An overlay of one: the node keeps it.)
  r = ask(kAlice, PublishRequest{*sign_record(record_for(bob), bob)}, token, SenderRole::kClient, alice_id);
  EXPECT_EQ(std::get<ErrorResponse>(r.body).code, ErrorCode::kBadRequest);
  const Bytes record = signed_record(record_for(alice, "山田太郎"));
  r = ask(kAlice, PublishRequest{record}, token, SenderRole::kClient, alice_id);
  ASSERT_TRUE(std::holds_alternative<PublishedResponse>(r.body));
  EXPECT_EQ(std::get<PublishedResponse>(r.body).replicas, 1u);
  EXPECT_EQ(node.records().size(), 1u);
  EXPECT_GT(node.keywords().entries(), 0u);

  r = ask(kAlice, LookupRequest{alice_id}, token, SenderRole::kClient, alice_id);
  ASSERT_TRUE(std::holds_alternative<LookupResultResponse>(r.body));
  EXPECT_EQ(std::get<LookupResultResponse>(r.body).record, record);

  r = ask(kAlice, SearchRequest{"山田"}, token, SenderRole::kClient, alice_id);
  ASSERT_TRUE(std::holds_alternative<SearchResultResponse>(r.body));
  EXPECT_EQ(std::get<SearchResultResponse>(r.body).records, std::vector<Bytes>{record});
  r = ask(kAlice, SearchRequest{" "}, token, SenderRole::kClient, alice_id);
  EXPECT_EQ(std::get<ErrorResponse>(r.body).code, ErrorCode::kBadRequest);
}

TEST_F(IndexNodeTest, MalformedDatagramsAreCountedAndIgnored) {
  SeededRandom junk(9);
  for (int i = 0; i < 200; ++i) {
    Bytes bytes(junk.uniform(80));
    junk.fill(bytes);
    if (!bytes.empty() && i % 2) bytes[0] = wire::kMagic;
    node.on_datagram(now, kMallory, bytes);
  }
  EXPECT_TRUE(node.take_outbox().empty());
  EXPECT_GT(node.counters().malformed, 0u);
}

TEST_F(IndexNodeTest, LoadReportsCountAttachedAndEligibleClientsOverTheOffer) {
  // The owner's clients and eligible_clients are ignored: the node counts its own.
  node.set_offer(SupernodeLoad{99, 200, 2, 20, 500, 4000, 77});
  const NodeId alice_id = node_id_from_public_key(alice.public_key());
  const NodeId bob_id = node_id_from_public_key(bob.public_key());
  IndexResponse r = ask(kAlice, AttachRequest{true}, token_for(kAlice), SenderRole::kClient, alice_id);
  ASSERT_TRUE(std::holds_alternative<AttachedResponse>(r.body));
  EXPECT_EQ(std::get<AttachedResponse>(r.body).load, (SupernodeLoad{1, 200, 2, 20, 500, 4000, 1}));
  r = ask(kMallory, AttachRequest{false}, token_for(kMallory), SenderRole::kClient, bob_id);
  EXPECT_EQ(std::get<AttachedResponse>(r.body).load.clients, 2u);
  EXPECT_EQ(std::get<AttachedResponse>(r.body).load.eligible_clients, 1u);
  // A keepalive carries the client's current flag.
  r = ask(kAlice, KeepaliveRequest{false}, r.token, SenderRole::kClient, alice_id);
  ASSERT_TRUE(std::holds_alternative<KeepaliveAckResponse>(r.body));
  EXPECT_EQ(std::get<KeepaliveAckResponse>(r.body).load, (SupernodeLoad{2, 200, 2, 20, 500, 4000, 0}));
  r = ask(kMallory, KeepaliveRequest{true}, token_for(kMallory), SenderRole::kClient, bob_id);
  EXPECT_EQ(std::get<KeepaliveAckResponse>(r.body).load.eligible_clients, 1u);
  // Silent clients time out and stop counting.
  now += seconds(200);
  node.on_timer(now);
  EXPECT_EQ(node.load().clients, 0u);
  EXPECT_EQ(node.load().eligible_clients, 0u);
}

TEST_F(IndexNodeTest, AFullSupernodeRefusesNewClientsAndKeepsServingItsOwn) {
  node.set_offer(SupernodeLoad{0, 1, 0, 0, 0, 0, 0});
  const NodeId alice_id = node_id_from_public_key(alice.public_key());
  const NodeId bob_id = node_id_from_public_key(bob.public_key());
  IndexResponse r = ask(kAlice, AttachRequest{}, token_for(kAlice), SenderRole::kClient, alice_id);
  ASSERT_TRUE(std::holds_alternative<AttachedResponse>(r.body));
  r = ask(kMallory, AttachRequest{}, token_for(kMallory), SenderRole::kClient, bob_id);
  ASSERT_TRUE(std::holds_alternative<ErrorResponse>(r.body));
  EXPECT_EQ(std::get<ErrorResponse>(r.body).code, ErrorCode::kFull);
  EXPECT_EQ(node.counters().refused_full, 1u);
  // The attached client keeps being served, re-attaching included.
  r = ask(kAlice, KeepaliveRequest{}, token_for(kAlice), SenderRole::kClient, alice_id);
  EXPECT_TRUE(std::holds_alternative<KeepaliveAckResponse>(r.body));
  r = ask(kAlice, AttachRequest{}, token_for(kAlice), SenderRole::kClient, alice_id);
  EXPECT_TRUE(std::holds_alternative<AttachedResponse>(r.body));
  EXPECT_EQ(node.attached_clients(), 1u);
  // Refused by every supernode it knows, a client insists and is taken over capacity.
  r = ask(kMallory, AttachRequest{false, true}, token_for(kMallory), SenderRole::kClient, bob_id);
  EXPECT_TRUE(std::holds_alternative<AttachedResponse>(r.body));
  EXPECT_EQ(node.attached_clients(), 2u);
}

// Handover requests the node sent, by destination.
std::map<Endpoint, std::vector<IndexRequest>> handovers_in(const std::vector<OutDatagram>& out) {
  std::map<Endpoint, std::vector<IndexRequest>> found;
  for (const OutDatagram& d : out) {
    const auto request = decode_request(d.bytes);
    if (request && std::holds_alternative<HandoverRequest>(request->body)) found[d.to].push_back(*request);
  }
  return found;
}

TEST_F(IndexNodeTest, HandoverIsResentUntilAnsweredAndGivenUpAfterSixSends) {
  const Endpoint supernode{Endpoint::make_ip(198, 51, 100, 1), 33445};
  NodeId supernode_id;
  supernode_id.bytes.fill(0x17);
  ask(supernode, PingRequest{}, token_for(supernode), SenderRole::kSupernode, supernode_id);
  const NodeId alice_id = node_id_from_public_key(alice.public_key());
  const NodeId bob_id = node_id_from_public_key(bob.public_key());
  ask(kAlice, AttachRequest{}, token_for(kAlice), SenderRole::kClient, alice_id);
  ask(kMallory, AttachRequest{}, token_for(kMallory), SenderRole::kClient, bob_id);

  node.begin_handover(now);
  auto sent = handovers_in(node.take_outbox());
  ASSERT_EQ(sent[kAlice].size(), 1u);
  ASSERT_EQ(sent[kMallory].size(), 1u);
  const auto& hints = std::get<HandoverRequest>(sent[kAlice][0].body).supernodes;
  EXPECT_EQ(hints, (std::vector<Contact>{Contact{supernode_id, supernode}}));
  // New clients are refused from now on.
  const Endpoint late{Endpoint::make_ip(203, 0, 113, 99), 40000};
  const IndexResponse refused = ask(late, AttachRequest{}, token_for(late), SenderRole::kClient, NodeId{});
  EXPECT_EQ(std::get<ErrorResponse>(refused.body).code, ErrorCode::kFull);

  // Alice answers; an answer from the wrong source or with an unknown txid changes nothing.
  const Bytes ack = *encode_response(IndexResponse{sent[kAlice][0].txid, alice_id, 0, HandoverAckResponse{}});
  node.on_datagram(now, kMallory, ack);
  EXPECT_EQ(node.handover_clients_left(), 2u);
  node.on_datagram(now, kAlice, ack);
  EXPECT_EQ(node.handover_clients_left(), 1u);

  size_t to_alice = 0, to_bob = 1;
  for (int tick = 0; tick < 20 && node.handover_clients_left() > 0; ++tick) {
    now = node.next_timeout();
    node.on_timer(now);
    auto more = handovers_in(node.take_outbox());
    to_alice += more[kAlice].size();
    to_bob += more[kMallory].size();
  }
  EXPECT_EQ(to_alice, 0u);
  EXPECT_EQ(to_bob, kHandoverSends);
  EXPECT_EQ(node.handover_clients_left(), 0u);
  EXPECT_LE(now, TimePoint{} + kHandoverSends * kHandoverResend);
  EXPECT_TRUE(node.handover_done());  // nothing held: nothing to push
}

TEST_F(IndexNodeTest, HandoverPushesWhatItHoldsToTheClosestOtherSupernodes) {
  const Endpoint supernode{Endpoint::make_ip(198, 51, 100, 1), 33445};
  NodeId supernode_id;
  supernode_id.bytes.fill(0x17);
  ask(supernode, PingRequest{}, token_for(supernode), SenderRole::kSupernode, supernode_id);
  const Bytes record = signed_record(record_for(alice));
  ask(kAlice, StoreRecordRequest{record}, token_for(kAlice));
  ask(kAlice, StoreKeywordRequest{NodeId{}, {{NodeId{{7}}, kNowUnix + 60}}}, token_for(kAlice));

  node.begin_handover(now);
  EXPECT_FALSE(node.handover_done());
  // The pushes need the other supernode's token: a ping fetches it first.
  std::vector<IndexRequest> to_supernode;
  const auto collect = [&] {
    for (const OutDatagram& d : node.take_outbox()) {
      if (d.to == supernode) to_supernode.push_back(*decode_request(d.bytes));
    }
  };
  node.on_timer(now);
  collect();
  ASSERT_EQ(to_supernode.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<PingRequest>(to_supernode[0].body));
  const auto answer = [&](const IndexRequest& request, ResponseBody body) {
    node.on_datagram(now, supernode, *encode_response(IndexResponse{request.txid, supernode_id, 0xABCD, std::move(body)}));
  };
  answer(to_supernode[0], PongResponse{supernode, SupernodeLoad{}});
  collect();
  ASSERT_EQ(to_supernode.size(), 3u);
  EXPECT_EQ(std::get<StoreRecordRequest>(to_supernode[1].body).record, record);
  EXPECT_EQ(std::get<StoreKeywordRequest>(to_supernode[2].body).entries.size(), 1u);
  EXPECT_EQ(to_supernode[1].token, 0xABCDu);
  EXPECT_FALSE(node.handover_done());  // the stores are unanswered
  answer(to_supernode[1], StoredResponse{});
  EXPECT_FALSE(node.handover_done());
  // An unanswered store counts as done once it times out.
  now += seconds(3);
  node.on_timer(now);
  EXPECT_TRUE(node.handover_done());
}

TEST_F(IndexNodeTest, ASupernodeDropsHandoverRequests) {
  ask(kMallory, PingRequest{});
  IndexRequest request;
  request.txid = 5;
  request.body = HandoverRequest{};
  node.on_datagram(now, kMallory, *encode_request(request));
  EXPECT_TRUE(node.take_outbox().empty());
  EXPECT_EQ(node.counters().unexpected, 1u);
}

TEST_F(IndexNodeTest, PongsCarryTheLoadAndPingedSupernodesLoadsMakeTheView) {
  node.set_offer(SupernodeLoad{0, 200, 0, 20, 0, 4000, 0});
  const IndexResponse pong = ask(kAlice, PingRequest{});
  EXPECT_EQ(std::get<PongResponse>(pong.body).load, node.load());

  // Three other supernodes enter the routing table by pinging us with a token.
  SeededRandom ids(9);
  std::map<Endpoint, NodeId> peers;
  for (uint8_t i = 1; i <= 3; ++i) {
    const Endpoint sn{Endpoint::make_ip(198, 51, 100, i), 33445};
    ids.fill(peers[sn].bytes);
    ask(sn, PingRequest{}, token_for(sn), SenderRole::kSupernode, peers[sn]);
  }
  ASSERT_EQ(node.routing().size(), 3u);
  EXPECT_TRUE(node.peer_loads(now).empty());
  // Within a load interval (60 s, started at a random point) the node pings them for their load.
  std::vector<OutDatagram> pings;
  for (int s = 0; s <= 61 && pings.empty(); ++s) {
    now += seconds(1);
    node.on_timer(now);
    for (auto& d : node.take_outbox())
      if (const auto r = decode_request(d.bytes); r && std::holds_alternative<PingRequest>(r->body)) pings.push_back(d);
  }
  // (The liveness pings of the neighbourhood may fall in the same second: those count too.)
  ASSERT_GE(pings.size(), 3u);
  for (const auto& ping : pings) {
    const auto request = decode_request(ping.bytes);
    const uint32_t clients = 10 * (ping.to.ip & 0xFF);  // 10, 20, 30 by address
    const SupernodeLoad load{clients, 200, 0, 20, 0, 4000, 0};
    node.on_datagram(now, ping.to, *encode_response(IndexResponse{request->txid, peers.at(ping.to), 0x77,
                                                                  PongResponse{ping.to, load}}));
  }
  auto loads = node.peer_loads(now);
  ASSERT_EQ(loads.size(), 3u);
  uint32_t total = 0;
  for (const auto& l : loads) total += l.clients;
  EXPECT_EQ(total, 10u + 20u + 30u);
  // Loads age out: a supernode that stops answering no longer counts.
  now += seconds(181);
  EXPECT_TRUE(node.peer_loads(now).empty());
}

}  // namespace
}  // namespace koe
