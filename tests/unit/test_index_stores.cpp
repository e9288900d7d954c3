// Replica stores: newer sequences win, records and keyword entries expire,
// keyword lists are newest first, capped per key and in total, and paginate.
#include <gtest/gtest.h>

#include "index/keyword_store.hpp"
#include "index/record_store.hpp"

namespace koe {
namespace {

using std::chrono::seconds;

constexpr TimePoint kT0{};

NodeId id(uint8_t n) {
  NodeId out;
  out.bytes[0] = n;
  return out;
}

TEST(RecordStore, NewerSequenceWinsAndOlderIsStale) {
  RecordStore store(10);
  EXPECT_EQ(store.put(id(1), 5, Bytes{5}, kT0 + seconds(60), kT0), StoreStatus::kStored);
  EXPECT_EQ(store.put(id(1), 4, Bytes{4}, kT0 + seconds(60), kT0), StoreStatus::kStale);
  EXPECT_EQ(store.put(id(1), 5, Bytes{5}, kT0 + seconds(60), kT0), StoreStatus::kUnchanged);
  EXPECT_EQ(store.put(id(1), 5, Bytes{9}, kT0 + seconds(60), kT0), StoreStatus::kStale);  // same sequence, other bytes
  EXPECT_EQ(store.put(id(1), 6, Bytes{6}, kT0 + seconds(60), kT0), StoreStatus::kStored);
  ASSERT_NE(store.get(id(1), kT0), nullptr);
  EXPECT_EQ(store.get(id(1), kT0)->encoded, Bytes{6});
  EXPECT_EQ(store.size(), 1u);
}

TEST(RecordStore, ExpiredRecordsDisappear) {
  RecordStore store(10);
  store.put(id(1), 1, Bytes{1}, kT0 + seconds(60), kT0);
  EXPECT_NE(store.get(id(1), kT0 + seconds(59)), nullptr);
  EXPECT_EQ(store.get(id(1), kT0 + seconds(60)), nullptr);
  // An expired record no longer blocks an older sequence (its owner restarted).
  EXPECT_EQ(store.put(id(1), 0, Bytes{0}, kT0 + seconds(200), kT0 + seconds(61)), StoreStatus::kStored);
  EXPECT_EQ(store.expire(kT0 + seconds(300)), 1u);
  EXPECT_EQ(store.size(), 0u);
}

TEST(RecordStore, CapsTheNumberOfRecords) {
  RecordStore store(2);
  EXPECT_EQ(store.put(id(1), 1, Bytes{1}, kT0 + seconds(60), kT0), StoreStatus::kStored);
  EXPECT_EQ(store.put(id(2), 1, Bytes{1}, kT0 + seconds(60), kT0), StoreStatus::kStored);
  EXPECT_EQ(store.put(id(3), 1, Bytes{1}, kT0 + seconds(60), kT0), StoreStatus::kFull);
  EXPECT_EQ(store.put(id(1), 2, Bytes{2}, kT0 + seconds(60), kT0), StoreStatus::kStored);  // updates still fit
}

TEST(RecordStore, HoldsIdenticalOnlyMatchesTheSameLiveBytes) {
  RecordStore store(10);
  store.put(id(1), 1, Bytes{1, 2}, kT0 + seconds(60), kT0);
  EXPECT_TRUE(store.holds_identical(id(1), Bytes{1, 2}, kT0 + seconds(5)));
  EXPECT_FALSE(store.holds_identical(id(1), Bytes{1, 3}, kT0));
  EXPECT_FALSE(store.holds_identical(id(2), Bytes{1, 2}, kT0));
  EXPECT_FALSE(store.holds_identical(id(1), Bytes{1, 2}, kT0 + seconds(60)));
}

std::vector<NodeId> users(const KeywordPage& page) {
  std::vector<NodeId> out;
  for (const auto& e : page.hits) out.push_back(e.user);
  return out;
}

TEST(KeywordStore, LatestExpiryFirstCappedPerKeyAndPaginated) {
  KeywordStore store(3, 100);
  for (uint8_t u = 1; u <= 4; ++u) EXPECT_EQ(store.put(id(0), {id(u), 1000u + u}, 0), StoreStatus::kStored);
  auto page = store.get(id(0), kSearchStart, 10, 0);
  EXPECT_EQ(users(page), (std::vector<NodeId>{id(4), id(3), id(2)}));  // the oldest dropped out
  EXPECT_EQ(page.total, 3u);
  EXPECT_EQ(store.entries(), 3u);
  // An entry older than all the capped ones does not get in.
  EXPECT_EQ(store.put(id(0), {id(9), 500}, 0), StoreStatus::kFull);
  // Publishing again (a later expiry) moves a user to the front; an earlier one changes nothing.
  EXPECT_EQ(store.put(id(0), {id(2), 2000}, 0), StoreStatus::kStored);
  EXPECT_EQ(store.put(id(0), {id(2), 1500}, 0), StoreStatus::kUnchanged);
  page = store.get(id(0), kSearchStart, 1, 0);
  EXPECT_EQ(users(page), std::vector<NodeId>{id(2)});
  // The next page continues after the last entry seen, even if that entry is gone.
  const SearchCursor after = page.hits.back();
  page = store.get(id(0), after, 1, 0);
  EXPECT_EQ(users(page), std::vector<NodeId>{id(4)});
  EXPECT_EQ(page.total, 3u);
  EXPECT_EQ(users(store.get(id(0), SearchCursor{id(4), 1004}, 5, 0)), (std::vector<NodeId>{id(3)}));
  EXPECT_TRUE(store.get(id(0), SearchCursor{id(3), 1003}, 5, 0).hits.empty());
  EXPECT_TRUE(store.get(id(9), kSearchStart, 5, 0).hits.empty());
}

TEST(KeywordStore, TiesAreOrderedByUserSoHoldersAgree) {
  KeywordStore a(10, 100), b(10, 100);
  for (uint8_t u : {5, 1, 3}) a.put(id(0), {id(u), 1000}, 0);
  for (uint8_t u : {3, 5, 1}) b.put(id(0), {id(u), 1000}, 0);
  EXPECT_EQ(users(a.get(id(0), kSearchStart, 10, 0)), (std::vector<NodeId>{id(1), id(3), id(5)}));
  EXPECT_EQ(users(a.get(id(0), kSearchStart, 10, 0)), users(b.get(id(0), kSearchStart, 10, 0)));
}

TEST(KeywordStore, EntriesExpireAndTheTotalIsCapped) {
  KeywordStore store(10, 2);
  EXPECT_EQ(store.put(id(0), {id(1), 10}, 10), StoreStatus::kInvalid);  // already expired
  store.put(id(0), {id(1), 10}, 0);
  store.put(id(0), {id(2), 100}, 0);
  EXPECT_EQ(store.put(id(5), {id(3), 100}, 0), StoreStatus::kFull);
  EXPECT_EQ(users(store.get(id(0), kSearchStart, 10, 20)), std::vector<NodeId>{id(2)});
  EXPECT_EQ(store.expire(20), 1u);
  EXPECT_EQ(store.entries(), 1u);
  EXPECT_EQ(store.put(id(5), {id(3), 100}, 20), StoreStatus::kStored);
  EXPECT_EQ(store.expire(200), 2u);
  EXPECT_EQ(store.keys(), 0u);
}

}  // namespace
}  // namespace koe
