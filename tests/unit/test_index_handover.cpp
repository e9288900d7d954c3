// Load reports, the kFull refusal and the graceful handover from the client's side
// (hand-made datagrams), then on the simulated network: every client of a leaving
// supernode reattaches elsewhere within 3 s and every record it held is still found
// after it is gone.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "index/index_client.hpp"
#include "tests/sim/index_world.hpp"
#include "tests/unit/index_test_support.hpp"

namespace koe {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr Endpoint kA{Endpoint::make_ip(198, 51, 100, 1), 33445};
constexpr Endpoint kB{Endpoint::make_ip(198, 51, 100, 2), 33445};
constexpr Endpoint kC{Endpoint::make_ip(198, 51, 100, 3), 33445};

NodeId id_of(const Endpoint& e) {
  NodeId id;
  id.bytes.fill(static_cast<uint8_t>(e.ip & 0xFF));
  return id;
}

class IndexClientHandoverTest : public ::testing::Test {
 protected:
  IndexClientHandoverTest() : client(signer, random, config()) {
    const Endpoint cache[] = {kA, kB};
    client.add_supernodes(cache);
    client.set_eligible(true);
    client.start(now);
  }
  static IndexClientConfig config() {
    IndexClientConfig c;
    c.wall_clock_offset = seconds(index_test::kNowUnix);
    return c;
  }

  // The requests the client sent since the last call, with their destinations.
  std::vector<std::pair<Endpoint, IndexRequest>> sent() {
    std::vector<std::pair<Endpoint, IndexRequest>> out;
    for (const OutDatagram& d : client.take_outbox()) {
      if (const auto request = decode_request(d.bytes)) out.emplace_back(d.to, *request);
    }
    return out;
  }
  // The one attach the client sent since the last call; its destination.
  Endpoint attach_sent() {
    for (const auto& [to, request] : sent()) {
      if (std::holds_alternative<AttachRequest>(request.body)) {
        last_attach = request;
        return to;
      }
    }
    return Endpoint{};
  }
  void answer(const Endpoint& from, const IndexRequest& request, ResponseBody body) {
    client.on_datagram(now, from, *encode_response(IndexResponse{request.txid, id_of(from), 1, std::move(body)}));
  }
  static Bytes handover(const NodeId& sender, std::vector<Contact> hints) {
    IndexRequest request;
    request.txid = 77;
    request.sender = sender;
    request.role = SenderRole::kSupernode;
    request.body = HandoverRequest{std::move(hints)};
    return *encode_request(request);
  }
  // Attaches to kB: kA is full.
  void attach_to_b() {
    ASSERT_EQ(attach_sent(), kA);
    answer(kA, last_attach, ErrorResponse{ErrorCode::kFull});
    ASSERT_EQ(attach_sent(), kB);  // at once, no timeout first
    answer(kB, last_attach, AttachedResponse{kC, {}, std::nullopt, kLoad});
    ASSERT_TRUE(client.attached());
  }

  static constexpr SupernodeLoad kLoad{120, 200, 1, 20, 700, 4000, 9};
  SeededRandom random{31};
  sim::PlainKeySigner signer{random};
  TimePoint now{};
  IndexClient client;
  IndexRequest last_attach;
};

TEST_F(IndexClientHandoverTest, AFullSupernodeSendsTheClientToTheNextAtOnceAndLoadsAreReported) {
  attach_to_b();
  EXPECT_TRUE(std::get<AttachRequest>(last_attach.body).eligible);
  auto events = client.take_events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<AttachedEvent>(events[0]));
  const auto& report = std::get<LoadReportEvent>(events[1]);
  EXPECT_EQ(report.supernode.endpoint, kB);
  EXPECT_EQ(report.load, kLoad);

  // Keepalives carry the flag and bring a fresh report.
  client.set_eligible(false);
  now = client.next_timeout();
  client.on_timer(now);
  std::optional<IndexRequest> keepalive;
  for (const auto& [to, request] : sent()) {
    if (std::holds_alternative<KeepaliveRequest>(request.body)) keepalive = request;
  }
  ASSERT_TRUE(keepalive);
  EXPECT_FALSE(std::get<KeepaliveRequest>(keepalive->body).eligible);
  SupernodeLoad fresher = kLoad;
  fresher.clients = 121;
  answer(kB, *keepalive, KeepaliveAckResponse{fresher});
  events = client.take_events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(std::get<LoadReportEvent>(events.back()).load, fresher);
}

TEST_F(IndexClientHandoverTest, FullSupernodesSuggestOthersAndARoundWithoutRoomEndsInsisting) {
  ASSERT_EQ(attach_sent(), kA);
  EXPECT_FALSE(std::get<AttachRequest>(last_attach.body).last_resort);
  answer(kA, last_attach, ErrorResponse{ErrorCode::kFull, {Contact{id_of(kC), kC}}});
  ASSERT_EQ(attach_sent(), kC) << "the full one's suggestion comes first";
  answer(kC, last_attach, ErrorResponse{ErrorCode::kFull});
  ASSERT_EQ(attach_sent(), kB);
  // kB is gone: its attach times out, which ends the round through kA, kC and kB.
  now = client.next_timeout();
  client.on_timer(now);
  // The next round insists, and a full supernode takes the client.
  const Endpoint next = attach_sent();
  ASSERT_NE(next, Endpoint{});
  EXPECT_TRUE(std::get<AttachRequest>(last_attach.body).last_resort);
  answer(next, last_attach, AttachedResponse{kC, {}, std::nullopt, kLoad});
  EXPECT_TRUE(client.attached());
}

TEST_F(IndexClientHandoverTest, TheLargestAttachedAnswerFitsTheAttachsAmplificationBudget) {
  const Contact hint{id_of(kC), kC};
  const AttachedResponse largest{kC, std::vector<Contact>(kMaxAttachHints, hint), PublicKey{1}, kLoad};
  const size_t answer_size = encode_response(IndexResponse{1, NodeId{}, 1, largest})->size();
  const auto out = client.take_outbox();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_LE(answer_size, kAmplificationFactor * out[0].bytes.size());
}

TEST_F(IndexClientHandoverTest, OnlyItsOwnSupernodeCanHandTheClientOver) {
  attach_to_b();
  client.take_events();
  sent();  // the publish
  const Contact hint{id_of(kC), kC};
  client.on_datagram(now, kA, handover(id_of(kB), {hint}));        // another source
  client.on_datagram(now, kB, handover(id_of(kA), {hint}));        // another sender
  IndexRequest ping;
  ping.body = PingRequest{};
  client.on_datagram(now, kB, *encode_request(ping));                        // not a handover
  EXPECT_EQ(client.dropped_requests(), 3u);
  EXPECT_TRUE(sent().empty());
  EXPECT_TRUE(client.attached());
  EXPECT_TRUE(client.take_events().empty());
}

TEST_F(IndexClientHandoverTest, AHandedOverClientAnswersTriesTheHintsAndGoesBackOnlyLast) {
  attach_to_b();
  client.take_events();
  client.on_datagram(now, kB, handover(id_of(kB), {Contact{id_of(kC), kC}}));
  bool acked = false;
  for (const OutDatagram& d : client.take_outbox()) {
    if (const auto response = decode_response(d.bytes)) {
      acked = d.to == kB && response->txid == 77 && std::holds_alternative<HandoverAckResponse>(response->body);
    } else if (const auto request = decode_request(d.bytes); request && std::holds_alternative<AttachRequest>(request->body)) {
      EXPECT_EQ(d.to, kC);  // the hint first
      last_attach = *request;
    }
  }
  EXPECT_TRUE(acked);
  const auto events = client.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<DetachedEvent>(events[0]).supernode.endpoint, kB);
  // Then the rest of the cache; the one that left last of all.
  answer(kC, last_attach, ErrorResponse{ErrorCode::kFull});
  EXPECT_EQ(attach_sent(), kA);
  answer(kA, last_attach, ErrorResponse{ErrorCode::kFull});
  EXPECT_EQ(attach_sent(), kB);
  // Every one full in a row: the client waits before going round again.
  answer(kB, last_attach, ErrorResponse{ErrorCode::kFull});
  EXPECT_EQ(attach_sent(), Endpoint{});
  const TimePoint refused = now;
  now = client.next_timeout();
  EXPECT_GE(now - refused, seconds(1));
  client.on_timer(now);
  EXPECT_EQ(attach_sent(), kC);
}

// --- On the simulated network.

constexpr uint64_t kSeed = 9;

struct HandoverWorld {
  HandoverWorld() : world(config()) {
    std::cout << "seed " << kSeed << "\n";
    world.set_client_listener([this](size_t user, const IndexClientEvent& event) {
      if (const auto* attached = std::get_if<AttachedEvent>(&event)) {
        attaches[user].push_back({world.now(), attached->supernode.endpoint});
      }
    });
    for (size_t i = 0; i < 16; ++i) {
      world.add_supernode();
      world.net().run_for(milliseconds(100));
    }
    world.net().run_for(seconds(10));
  }
  static sim::IndexWorldConfig config() {
    sim::IndexWorldConfig c;
    c.seed = kSeed;
    return c;
  }
  size_t busiest_supernode() const {
    size_t best = 0;
    for (const size_t sn : world.live_supernodes()) {
      if (world.supernode(sn)->attached_clients() > world.supernode(best)->attached_clients()) best = sn;
    }
    return best;
  }
  size_t live_holders(const NodeId& id) {
    size_t n = 0;
    for (const size_t sn : world.live_supernodes()) n += world.supernode(sn)->records().get(id, world.now()) != nullptr;
    return n;
  }

  struct Attach {
    TimePoint at;
    Endpoint supernode;
  };
  sim::IndexWorld world;
  std::map<size_t, std::vector<Attach>> attaches;
};

TEST(IndexHandoverSim, EveryClientReattachesWithin3sAndEveryRecordHeldIsStillFound) {
  HandoverWorld h;
  sim::IndexWorld& world = h.world;
  constexpr size_t kUsers = 80;
  for (size_t u = 0; u < kUsers; ++u) {
    world.add_user("Handed " + std::to_string(u));
    world.start_user(u);
  }
  world.net().run_for(seconds(20));
  const size_t leaving = h.busiest_supernode();
  const Endpoint leaving_at = world.supernode_endpoint(leaving);
  std::vector<size_t> clients;
  for (size_t u = 0; u < kUsers; ++u) {
    const auto sn = world.client(u)->supernode();
    if (sn && sn->endpoint == leaving_at) {
      clients.push_back(u);
    } else {
      world.stop_user(u);  // from now on only replicas keep its record
    }
  }
  ASSERT_GE(clients.size(), 3u);
  std::vector<NodeId> held;
  world.supernode(leaving)->records().for_each([&](const NodeId& id, const StoredRecord&) { held.push_back(id); });
  ASSERT_FALSE(held.empty());

  const TimePoint start = world.now();
  world.begin_handover(leaving);
  ASSERT_TRUE(world.net().run_until([&] { return world.supernode(leaving)->handover_done(); }, start + seconds(30)));
  for (const size_t u : clients) {
    const auto& list = h.attaches[u];
    ASSERT_FALSE(list.empty()) << u;
    EXPECT_GT(list.back().at, start) << u;
    EXPECT_LE(list.back().at - start, seconds(3)) << u;
    EXPECT_NE(list.back().supernode, leaving_at) << u;
  }
  // The pushes gave every record held a full set of replicas besides the leaving one.
  const size_t k = world.config().node.replication;
  for (const NodeId& id : held) EXPECT_GE(h.live_holders(id) - 1, k);

  world.kill_supernode(leaving);  // abruptly, right after handover_done()
  const size_t asker = world.add_user("Asker");
  world.start_user(asker);
  world.net().run_for(seconds(3));
  std::map<uint32_t, NodeId> asked;
  for (const NodeId& id : held) asked[world.client(asker)->lookup(world.now(), id)] = id;
  world.flush_user(asker);
  std::set<uint32_t> found;
  world.set_client_listener([&](size_t user, const IndexClientEvent& event) {
    const auto* result = std::get_if<LookupResultEvent>(&event);
    if (user == asker && result != nullptr && result->status == RequestStatus::kFound) found.insert(result->request);
  });
  world.net().run_until([&] { return found.size() == asked.size(); }, world.now() + seconds(30));
  EXPECT_EQ(found.size(), held.size());
}

}  // namespace
}  // namespace koe
