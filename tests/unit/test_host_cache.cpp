// HostCache: at most 200 supernodes, freshest and best first, failures demote and then
// forget, and host_cache.json round-trips atomically with corrupt files kept aside.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "app/host_cache.hpp"
#include "tests/unit/app_test_support.hpp"

namespace koe {
namespace {

namespace fs = std::filesystem;

PublicKey key(uint16_t n) {
  PublicKey k{};
  k[0] = static_cast<uint8_t>(n >> 8);
  k[1] = static_cast<uint8_t>(n);
  return k;
}

Endpoint endpoint(uint16_t n) {
  return {Endpoint::make_ip(198, 51, 100, static_cast<uint8_t>(n % 250 + 1)), static_cast<uint16_t>(10000 + n)};
}

std::vector<uint16_t> order(const HostCache& cache) {
  std::vector<uint16_t> ids;
  for (const auto& e : cache.entries()) ids.push_back(static_cast<uint16_t>((e.public_key[0] << 8) | e.public_key[1]));
  return ids;
}

TEST(HostCache, FreshestFirstThenFastest) {
  HostCache cache;
  ASSERT_TRUE(cache.record_success(key(1), endpoint(1), 1000, 80));
  ASSERT_TRUE(cache.record_success(key(2), endpoint(2), 3000, 200));
  ASSERT_TRUE(cache.record_success(key(3), endpoint(3), 2000, 10));
  ASSERT_TRUE(cache.record_success(key(4), endpoint(4), 3000, 50));
  ASSERT_TRUE(cache.record_success(key(5), endpoint(5), 3000, std::nullopt));
  EXPECT_EQ(order(cache), (std::vector<uint16_t>{4, 2, 5, 3, 1}));
}

TEST(HostCache, ASuccessRefreshesAndMovesAnEntry) {
  HostCache cache;
  cache.record_success(key(1), endpoint(1), 1000, 80);
  cache.record_success(key(2), endpoint(2), 2000, 80);
  cache.record_success(key(1), endpoint(7), 3000, 30);  // same node, new address
  EXPECT_EQ(order(cache), (std::vector<uint16_t>{1, 2}));
  const HostCacheEntry* e = cache.find(key(1));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->endpoint, endpoint(7));
  EXPECT_EQ(e->last_seen_unix, 3000);
  EXPECT_EQ(e->rtt_ms, 30u);
}

TEST(HostCache, ANewKeyAtAKnownAddressReplacesTheOldOne) {
  HostCache cache;
  cache.record_success(key(1), endpoint(1), 1000, 80);
  cache.record_success(key(2), endpoint(1), 2000, 80);  // restarted with a new identity
  EXPECT_EQ(order(cache), (std::vector<uint16_t>{2}));
}

TEST(HostCache, FailuresDemoteAndThenForget) {
  HostCache cache;
  cache.record_success(key(1), endpoint(1), 3000, 10);
  cache.record_success(key(2), endpoint(2), 1000, 90);
  cache.record_failure(key(1));
  EXPECT_EQ(order(cache), (std::vector<uint16_t>{2, 1}));
  EXPECT_EQ(cache.find(key(1))->failures, 1u);
  for (uint32_t i = 1; i < kHostCacheMaxFailures; ++i) cache.record_failure(key(1));
  EXPECT_EQ(cache.find(key(1)), nullptr);
  // A success resets the count.
  cache.record_failure(key(2));
  cache.record_success(key(2), endpoint(2), 4000, 90);
  EXPECT_EQ(cache.find(key(2))->failures, 0u);
  cache.record_failure(key(99));  // unknown: nothing happens
  EXPECT_EQ(cache.size(), 1u);
}

TEST(HostCache, KeepsTheBestTwoHundred) {
  HostCache cache;
  for (uint16_t i = 0; i < 300; ++i) ASSERT_TRUE(cache.record_success(key(i), endpoint(i), 10000 + i, 50));
  ASSERT_EQ(cache.size(), kHostCacheCapacity);
  EXPECT_EQ(order(cache).front(), 299);
  EXPECT_EQ(order(cache).back(), 100) << "the stalest were dropped";
  // An old entry does not push out a fresher one.
  cache.record_success(key(1000), endpoint(1000), 5, 1);
  EXPECT_EQ(cache.find(key(1000)), nullptr);
  EXPECT_EQ(cache.size(), kHostCacheCapacity);
}

TEST(HostCache, RefusesUnusableEndpoints) {
  HostCache cache;
  EXPECT_FALSE(cache.record_success(key(1), Endpoint{0, 5000}, 1, 1));
  EXPECT_FALSE(cache.record_success(key(1), Endpoint{Endpoint::make_ip(192, 0, 2, 1), 0}, 1, 1));
  EXPECT_EQ(cache.size(), 0u);
  cache.record_success(key(1), endpoint(1), 1, 1);
  EXPECT_TRUE(cache.remove(key(1)));
  EXPECT_FALSE(cache.remove(key(1)));
}

TEST(HostCacheFile, RoundTrips) {
  HostCache cache;
  cache.record_success(key(1), endpoint(1), 1700000000, 42);
  cache.record_success(key(0xBEEF), endpoint(2), 1700000100, std::nullopt);
  cache.record_failure(key(1));
  auto parsed = parse_host_cache(encode_host_cache(cache));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, cache);
}

TEST(HostCacheFile, SortsTrimsAndDropsFailedEntriesWhenLoading) {
  std::string hosts;
  for (int i = 0; i < 250; ++i) {
    char hex[65];
    std::snprintf(hex, sizeof hex, "%04x%060d", i, 0);
    hosts += std::string(i ? "," : "") + R"({"public_key": ")" + hex + R"(", "endpoint": "203.0.113.)" +
             std::to_string(i % 200 + 1) + ":" + std::to_string(20000 + i) + R"(", "last_seen": )" + std::to_string(i) +
             R"(, "rtt_ms": null, "failures": )" + (i == 249 ? "3" : "0") + "}";
  }
  auto parsed = parse_host_cache(R"({"format": "koe-host-cache", "version": 1, "hosts": [)" + hosts + "]}");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->size(), kHostCacheCapacity);
  EXPECT_EQ(order(*parsed).front(), 248) << "249 had failed too often";
  EXPECT_EQ(order(*parsed).back(), 49);
}

TEST(HostCacheFile, MalformedEntriesAreRefusedWithAReason) {
  const std::string good_key(64, 'a');
  auto doc = [](const std::string& entry) {
    return R"({"format": "koe-host-cache", "version": 1, "hosts": [)" + entry + "]}";
  };
  auto entry = [&](const std::string& k, const std::string& ep, const std::string& seen, const std::string& rtt,
                   const std::string& failures) {
    return R"({"public_key": ")" + k + R"(", "endpoint": ")" + ep + R"(", "last_seen": )" + seen + R"(, "rtt_ms": )" +
           rtt + R"(, "failures": )" + failures + "}";
  };
  const std::pair<std::string, std::string> cases[] = {
      {doc(entry(std::string(63, 'a'), "1.2.3.4:5", "1", "1", "0")), "public_key"},
      {doc(entry(std::string(64, 'g'), "1.2.3.4:5", "1", "1", "0")), "public_key"},
      {doc(entry(good_key, "1.2.3.4", "1", "1", "0")), "endpoint"},
      {doc(entry(good_key, "0.0.0.0:5", "1", "1", "0")), "endpoint"},
      {doc(entry(good_key, "1.2.3.4:5", "-1", "1", "0")), "last_seen"},
      {doc(entry(good_key, "1.2.3.4:5", "\"x\"", "1", "0")), "last_seen"},
      {doc(entry(good_key, "1.2.3.4:5", "1", "4294967296", "0")), "rtt_ms"},
      {doc(entry(good_key, "1.2.3.4:5", "1", "1.5", "0")), "rtt_ms"},
      {doc(entry(good_key, "1.2.3.4:5", "1", "1", "18446744073709551615")), "failures"},
      {doc(entry(good_key, "1.2.3.4:5", "1", "1", "0") + "," + entry(good_key, "1.2.3.5:5", "1", "1", "0")),
       "host 2: the same key"},
      {doc("7"), "host 1"},
      {R"({"format": "koe-host-cache", "version": 1})", "\"hosts\""},
      {R"({"format": "koe-contacts", "version": 1, "hosts": []})", "koe-host-cache"},
  };
  for (const auto& [text, fragment] : cases) {
    auto parsed = parse_host_cache(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_NE(parsed.error().message.find(fragment), std::string::npos)
        << text << "\n  gave: " << parsed.error().message;
  }
}

TEST(HostCacheFile, SavesPrivatelyLoadsAndKeepsACorruptFileAside) {
  test::ScopedTempDir dir;
  const fs::path path = dir.path() / kHostCacheFileName;
  const mode_t old_umask = ::umask(0);
  HostCache cache;
  cache.record_success(key(3), endpoint(3), 1700000000, 12);
  ASSERT_FALSE(save_host_cache(path, cache));
  ::umask(old_umask);
  EXPECT_EQ(test::permissions_of(path), 0600u);
  auto loaded = load_host_cache(path);
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(loaded->value, cache);

  test::write_text(path, "{ not json");
  loaded = load_host_cache(path);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->value.size(), 0u);
  ASSERT_TRUE(loaded->warning);
  EXPECT_TRUE(fs::exists(dir.path() / "host_cache.json.corrupt"));
  EXPECT_FALSE(fs::exists(path));

  auto missing = load_host_cache(dir.path() / "nothing.json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->value.size(), 0u);
  EXPECT_FALSE(missing->warning);
}

}  // namespace
}  // namespace koe
