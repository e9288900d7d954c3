// The routing table (8-bit-symbol Kademlia buckets) and the iterative lookup
// state machine.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "index/lookup.hpp"
#include "index/routing_table.hpp"
#include "net/random.hpp"

namespace koe {
namespace {

using std::chrono::seconds;

NodeId random_id(SeededRandom& random) {
  NodeId id;
  random.fill(id.bytes);
  return id;
}

Contact contact(const NodeId& id, uint32_t n) { return Contact{id, {Endpoint::make_ip(10, 0, 0, 1) + n, 33445}}; }

std::vector<Contact> brute_force_closest(std::vector<Contact> all, const NodeId& target, size_t count) {
  std::sort(all.begin(), all.end(),
            [&](const Contact& a, const Contact& b) { return xor_distance(a.id, target) < xor_distance(b.id, target); });
  all.resize(std::min(all.size(), count));
  return all;
}

TEST(RoutingTable, ClosestMatchesBruteForce) {
  SeededRandom random(11);
  const NodeId self = random_id(random);
  RoutingTable table(self, 1000, 2);  // buckets large enough to keep everyone
  std::vector<Contact> all;
  for (uint32_t i = 0; i < 500; ++i) {
    all.push_back(contact(random_id(random), i));
    ASSERT_EQ(table.observe(all.back(), TimePoint{}), RoutingTable::Observed::kAdded);
  }
  for (int t = 0; t < 200; ++t) {
    const NodeId target = t % 2 ? random_id(random) : all[random.uniform(all.size())].id;
    for (const size_t count : {1u, 8u, 20u}) {
      EXPECT_EQ(table.closest(target, count), brute_force_closest(all, target, count));
    }
  }
  EXPECT_EQ(table.closest(self, 8), brute_force_closest(all, self, 8));
}

TEST(RoutingTable, BucketsHoldAtMostBucketSizeAndKeepLongLivedContacts) {
  SeededRandom random(12);
  const NodeId self{};  // all zeros: a contact's first byte is its bucket at level 0
  RoutingTable table(self, 2, 2);
  auto in_bucket = [&](uint8_t first) {
    NodeId id = random_id(random);
    id.bytes[0] = first;
    return id;
  };
  const Contact a = contact(in_bucket(0x80), 1), b = contact(in_bucket(0x80), 2), c = contact(in_bucket(0x80), 3);
  EXPECT_EQ(table.observe(a, TimePoint{}), RoutingTable::Observed::kAdded);
  EXPECT_EQ(table.observe(b, TimePoint{}), RoutingTable::Observed::kAdded);
  EXPECT_EQ(table.observe(c, TimePoint{}), RoutingTable::Observed::kRejected);  // full, nobody failed
  EXPECT_EQ(table.observe(contact(in_bucket(0x40), 4), TimePoint{}), RoutingTable::Observed::kAdded);
  // Once a contact fails, a newcomer may take its place.
  EXPECT_FALSE(table.record_failure(a.id));
  EXPECT_EQ(table.observe(c, TimePoint{}), RoutingTable::Observed::kAdded);
  EXPECT_FALSE(table.find(a.id));
  EXPECT_TRUE(table.find(c.id));
}

TEST(RoutingTable, FailuresRemoveAndEndpointsMoveOnlyAfterFailure) {
  SeededRandom random(13);
  RoutingTable table(random_id(random), 8, 2);
  const Contact a = contact(random_id(random), 1);
  table.observe(a, TimePoint{});
  // A claim of a new endpoint for a healthy contact is ignored.
  const Contact moved{a.id, {Endpoint::make_ip(10, 9, 9, 9), 1}};
  table.observe(moved, TimePoint{});
  EXPECT_EQ(table.find(a.id)->endpoint, a.endpoint);
  EXPECT_FALSE(table.record_failure(a.id));
  table.observe(moved, TimePoint{} + seconds(1));
  EXPECT_EQ(table.find(a.id)->endpoint, moved.endpoint);
  EXPECT_EQ(table.last_seen(a.id), TimePoint{} + seconds(1));
  EXPECT_FALSE(table.record_failure(a.id));
  EXPECT_TRUE(table.record_failure(a.id));
  EXPECT_EQ(table.size(), 0u);
}

TEST(RoutingTable, LearnedContactsAreUnprovenAndNeverEvict) {
  SeededRandom random(14);
  const NodeId self{};
  RoutingTable table(self, 1, 2);
  NodeId x = random_id(random), y = random_id(random);
  x.bytes[0] = y.bytes[0] = 0x80;
  EXPECT_EQ(table.learn(contact(x, 1), TimePoint{}), RoutingTable::Observed::kAdded);
  EXPECT_EQ(table.learn(contact(y, 2), TimePoint{}), RoutingTable::Observed::kRejected);
  // A learned contact is removed by its first failure.
  EXPECT_TRUE(table.record_failure(x));
  EXPECT_EQ(table.learn(contact(self, 3), TimePoint{}), RoutingTable::Observed::kRejected);
}

TEST(RoutingTable, SampleDrawsDistinctContacts) {
  SeededRandom random(15);
  RoutingTable table(random_id(random), 100, 2);
  for (uint32_t i = 0; i < 50; ++i) table.observe(contact(random_id(random), i), TimePoint{});
  const auto picked = table.sample(10, random);
  std::set<NodeId> ids;
  for (const auto& c : picked) ids.insert(c.id);
  EXPECT_EQ(ids.size(), 10u);
  EXPECT_EQ(table.sample(100, random).size(), 50u);
}

// A synthetic overlay where every node knows a random eighth of the network and
// its own 16 nearest neighbours, and answers with the 8 it knows closest to the
// target: a lookup must still converge on the true k closest.
TEST(Lookup, ConvergesOnTheClosestNodes) {
  SeededRandom random(16);
  std::vector<Contact> all;
  for (uint32_t i = 0; i < 400; ++i) all.push_back(contact(random_id(random), i));
  const NodeId target = random_id(random);
  std::vector<Contact> seeds;
  for (int i = 0; i < 3; ++i) seeds.push_back(all[random.uniform(all.size())]);
  Lookup lookup(target, seeds, 8, 3);
  size_t rounds = 0;
  while (!lookup.finished() && rounds < 100) {
    ++rounds;
    const auto asked = lookup.take_queries();
    ASSERT_LE(asked.size(), 3u);
    for (const Contact& c : asked) {
      // Each node answers with the closest nodes it knows: those near it, and
      // near the target among a subset.
      std::vector<Contact> known = brute_force_closest(all, c.id, 16);
      for (const Contact& other : all) {
        if ((other.id.bytes[19] ^ c.id.bytes[19]) % 8 == 0) known.push_back(other);
      }
      lookup.on_answer(c.id, brute_force_closest(known, target, 8));
    }
  }
  ASSERT_TRUE(lookup.finished());
  EXPECT_EQ(lookup.closest_answered(), brute_force_closest(all, target, 8));
  EXPECT_GE(lookup.hops(), 1);
}

TEST(Lookup, KeepsAlphaInFlightAndSkipsFailures) {
  SeededRandom random(17);
  std::vector<Contact> seeds;
  for (uint32_t i = 0; i < 10; ++i) seeds.push_back(contact(random_id(random), i));
  const NodeId target = random_id(random);
  Lookup lookup(target, seeds, 4, 2);
  auto first = lookup.take_queries();
  ASSERT_EQ(first.size(), 2u);
  EXPECT_TRUE(lookup.take_queries().empty());  // alpha already in flight
  lookup.on_slow(first[0].id);                 // a slow node frees its slot
  EXPECT_EQ(lookup.take_queries().size(), 1u);
  lookup.on_failure(first[1].id);
  EXPECT_EQ(lookup.take_queries().size(), 1u);
  EXPECT_FALSE(lookup.finished());
  // Answer everyone still asked until the four closest live nodes have answered.
  for (int round = 0; round < 20 && !lookup.finished(); ++round) {
    for (const Contact& c : seeds) lookup.on_answer(c.id, {});
    for (const Contact& c : lookup.take_queries()) lookup.on_answer(c.id, {});
  }
  EXPECT_TRUE(lookup.finished());
  const auto answered = lookup.closest_answered();
  EXPECT_EQ(answered.size(), 4u);
  EXPECT_EQ(std::count_if(answered.begin(), answered.end(), [&](const Contact& c) { return c.id == first[1].id; }), 0);
}

TEST(Lookup, WithNoContactsIsFinishedAtOnce) {
  Lookup lookup(NodeId{}, {}, 8, 3);
  EXPECT_TRUE(lookup.finished());
  EXPECT_TRUE(lookup.take_queries().empty());
  EXPECT_TRUE(lookup.closest_answered().empty());
}

}  // namespace
}  // namespace koe
