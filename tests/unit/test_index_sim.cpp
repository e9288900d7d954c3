// The Global Index cores on the simulated network (small worlds, seeded): users
// found by ID and by name, paginated search, replicas surviving the abrupt loss
// of 20% of supernodes and being repaired, clients moving to another supernode
// when theirs fails, and the client's retransmission timing under loss.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "tests/sim/index_world.hpp"

namespace koe::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint64_t kSeed = 5;

struct SmallIndex {
  explicit SmallIndex(size_t supernodes, double loss = 0.005) : world(config(loss)) {
    std::cout << "seed " << kSeed << "\n";
    world.set_client_listener([this](size_t user, const IndexClientEvent& event) { events[user].push_back(event); });
    for (size_t i = 0; i < supernodes; ++i) {
      world.add_supernode();
      world.net().run_for(milliseconds(100));
    }
    world.net().run_for(seconds(10));
  }
  static IndexWorldConfig config(double loss) {
    IndexWorldConfig c;
    c.seed = kSeed;
    c.links.loss = loss;
    return c;
  }
  size_t add_users(size_t n, const std::string& prefix) {
    const size_t first = world.user_count();
    for (size_t i = 0; i < n; ++i) {
      world.add_user(prefix + " " + std::to_string(i));
      world.start_user(first + i);
    }
    world.net().run_for(seconds(20));
    return first;
  }
  // Runs until the request's result event arrives (bounded in virtual time).
  template <class Event>
  std::optional<Event> await(size_t user, uint32_t request) {
    std::optional<Event> found;
    world.net().run_until(
        [&] {
          for (const auto& e : events[user]) {
            if (const auto* r = std::get_if<Event>(&e); r != nullptr && r->request == request) found = *r;
          }
          return found.has_value();
        },
        world.now() + seconds(30));
    return found;
  }
  std::optional<LookupResultEvent> lookup(size_t asker, size_t target) {
    const uint32_t request = world.client(asker)->lookup(world.now(), world.user_id(target));
    world.flush_user(asker);
    return await<LookupResultEvent>(asker, request);
  }
  std::optional<SearchResultEvent> search(size_t asker, const std::string& query, SearchCursor after = kSearchStart) {
    const uint32_t request = world.client(asker)->search_name(world.now(), query, after);
    world.flush_user(asker);
    return await<SearchResultEvent>(asker, request);
  }
  size_t live_holders(const koe::NodeId& id) {
    size_t n = 0;
    for (const size_t sn : world.live_supernodes()) n += world.supernode(sn)->records().get(id, world.now()) != nullptr;
    return n;
  }

  IndexWorld world;
  std::map<size_t, std::vector<IndexClientEvent>> events;
};

TEST(IndexSim, UsersAreFoundByIdAndByName) {
  SmallIndex index(40);
  const size_t first = index.add_users(200, "Kalimo");
  index.world.add_user("山田太郎");
  index.world.start_user(first + 200);
  index.world.net().run_for(seconds(10));
  for (size_t i = 0; i < 40; ++i) {
    const size_t asker = first + (i * 7) % 200, target = first + (i * 13 + 1) % 201;
    const auto result = index.lookup(asker, target);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, RequestStatus::kFound) << i;
    ASSERT_TRUE(result->record);
    EXPECT_EQ(result->record->id, index.world.user_id(target));
    EXPECT_EQ(result->record->display_name, index.world.user_name(target));
  }
  const auto found = index.search(first, "山田");
  ASSERT_TRUE(found);
  ASSERT_EQ(found->records.size(), 1u);
  EXPECT_EQ(found->records[0].id, index.world.user_id(first + 200));
  const auto none = index.search(first, "田中");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, RequestStatus::kNotFound);
}

TEST(IndexSim, SearchResultsArePaginated) {
  SmallIndex index(30);
  const size_t first = index.add_users(23, "Zorblax");
  std::set<koe::NodeId> seen;
  SearchCursor cursor = kSearchStart;
  int pages = 0;
  for (; pages < 20; ++pages) {
    const auto result = index.search(first, "zorblax", cursor);
    ASSERT_TRUE(result);
    EXPECT_LE(result->records.size(), kMaxSearchRecords);
    for (const auto& r : result->records) EXPECT_TRUE(seen.insert(r.id).second) << "duplicate on page " << pages;
    if (!result->next) break;
    cursor = *result->next;
  }
  EXPECT_GE(pages, 4);  // five hits a page
  EXPECT_EQ(seen.size(), 23u);
}

TEST(IndexSim, ReplicationSurvivesAbruptLossOf20PercentAndIsRepaired) {
  SmallIndex index(50, 0.0);
  const size_t k = index.world.config().node.replication;
  const size_t first = index.add_users(400, "Owner");
  // Owners go offline: from now on only the replicas keep their records.
  for (size_t u = first; u < first + 400; ++u) {
    ASSERT_GE(index.live_holders(index.world.user_id(u)), k) << u;
    index.world.stop_user(u);
  }
  SeededRandom random(kSeed);
  auto live = index.world.live_supernodes();
  for (size_t i = 0; i < 10; ++i) {  // 20% of 50, at once
    const size_t pick = random.uniform(live.size());
    index.world.kill_supernode(live[pick]);
    live.erase(live.begin() + static_cast<ptrdiff_t>(pick));
  }
  const size_t asker = index.world.add_user("Asker");
  index.world.start_user(asker);
  index.world.net().run_for(seconds(5));
  size_t found = 0;
  for (size_t u = first; u < first + 400; ++u) {
    const auto result = index.lookup(asker, u);
    ASSERT_TRUE(result);
    found += result->status == RequestStatus::kFound;
  }
  EXPECT_EQ(found, 400u);
  // Neighbours notice the failures and push replicas to the new k closest.
  index.world.net().run_for(seconds(90));
  size_t fully_replicated = 0;
  for (size_t u = first; u < first + 400; ++u) fully_replicated += index.live_holders(index.world.user_id(u)) >= k;
  EXPECT_EQ(fully_replicated, 400u);
}

TEST(IndexSim, ClientsMoveWhenTheirSupernodeFails) {
  SmallIndex index(20);
  const size_t first = index.add_users(30, "Mover");
  const auto before = index.world.client(first)->supernode();
  ASSERT_TRUE(before);
  const uint64_t sequence = index.world.client(first)->sequence();
  for (const size_t sn : index.world.live_supernodes()) {
    if (index.world.supernode_endpoint(sn) == before->endpoint) index.world.kill_supernode(sn);
  }
  index.world.net().run_for(seconds(90));
  const auto after = index.world.client(first)->supernode();
  ASSERT_TRUE(after);
  EXPECT_NE(after->endpoint, before->endpoint);
  EXPECT_GT(index.world.client(first)->sequence(), sequence);
  const auto result = index.lookup(first + 1, first);
  ASSERT_TRUE(result && result->record);
  ASSERT_EQ(result->record->supernodes.size(), 1u);
  EXPECT_EQ(result->record->supernodes[0].endpoint, after->endpoint);
}


TEST(IndexSim, LookupsAtTenPercentLossTakeAboutARoundTripAndNobodyMoves) {
  SmallIndex index(20, 0.10);
  const size_t first = index.add_users(20, "Lossy");
  std::vector<Endpoint> attached;
  for (size_t i = 0; i < 20; ++i) attached.push_back(index.world.client(first + i)->supernode().value().endpoint);
  std::vector<Duration> took;
  for (size_t i = 0; i < 20; ++i) {
    const TimePoint asked = index.world.now();
    const auto result = index.lookup(first + i, first + (i + 7) % 20);
    ASSERT_TRUE(result && result->record) << "lookup " << i;
    took.push_back(index.world.now() - asked);
  }
  std::sort(took.begin(), took.end());

  // Link RTTs are tens of milliseconds: a lost request costs a resend after about a
  // round trip plus the overlay's allowance, not a fixed 3 s.
  EXPECT_LT(took[10], milliseconds(500));
  EXPECT_LT(took.back(), seconds(3));
  for (size_t i = 0; i < 20; ++i)
    EXPECT_EQ(index.world.client(first + i)->supernode().value().endpoint, attached[i]) << "a false alarm moved user " << i;
}

TEST(IndexSim, ALookupAskedOfADeadSupernodeIsAnsweredByTheNextOneWithinSeconds) {
  SmallIndex index(20);
  const size_t first = index.add_users(30, "Orphan");
  const auto before = index.world.client(first)->supernode();
  ASSERT_TRUE(before);
  for (const size_t sn : index.world.live_supernodes())
    if (index.world.supernode_endpoint(sn) == before->endpoint) index.world.kill_supernode(sn);
  const TimePoint asked = index.world.now();
  const auto result = index.lookup(first, first + 1);
  ASSERT_TRUE(result && result->record);
  // The lookup times out (its round trip plus the overlay allowance), a keepalive
  // probe and 3 resends with doubled timeouts go unanswered (about 5 s in all), then
  // the next supernode answers.
  EXPECT_LT(index.world.now() - asked, seconds(8));
  EXPECT_NE(index.world.client(first)->supernode().value().endpoint, before->endpoint);
}

}  // namespace
}  // namespace koe::sim
