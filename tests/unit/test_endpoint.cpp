#include "net/endpoint.hpp"

#include <gtest/gtest.h>

#include <unordered_set>

namespace koe {
namespace {

TEST(Endpoint, ParsesAndFormats) {
  const auto e = Endpoint::parse("203.0.113.7:40000");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->ip, Endpoint::make_ip(203, 0, 113, 7));
  EXPECT_EQ(e->port, 40000);
  EXPECT_EQ(e->to_string(), "203.0.113.7:40000");
}

TEST(Endpoint, RejectsMalformedText) {
  for (const char* bad : {"", ":", "1.2.3.4", "1.2.3.4:", "1.2.3:5", "1.2.3.4.5:6", "256.1.1.1:5",
                          "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:-1", "a.b.c.d:1", "1..3.4:5",
                          "1.2.3.4:5x", " 1.2.3.4:5", "1.2.3.4:123456"}) {
    EXPECT_FALSE(Endpoint::parse(bad)) << bad;
  }
}

TEST(Endpoint, ClassifiesAddresses) {
  EXPECT_TRUE((Endpoint{Endpoint::make_ip(127, 0, 0, 1), 1}).is_loopback());
  EXPECT_TRUE((Endpoint{Endpoint::make_ip(10, 1, 2, 3), 1}).is_private());
  EXPECT_TRUE((Endpoint{Endpoint::make_ip(172, 16, 0, 1), 1}).is_private());
  EXPECT_FALSE((Endpoint{Endpoint::make_ip(172, 32, 0, 1), 1}).is_private());
  EXPECT_TRUE((Endpoint{Endpoint::make_ip(192, 168, 1, 1), 1}).is_private());
  EXPECT_TRUE((Endpoint{Endpoint::make_ip(100, 64, 0, 1), 1}).is_private());
  EXPECT_FALSE((Endpoint{Endpoint::make_ip(198, 51, 100, 1), 1}).is_private());
}

TEST(Endpoint, HashesAndOrders) {
  std::unordered_set<Endpoint> set{Endpoint{1, 2}, Endpoint{1, 3}, Endpoint{1, 2}};
  EXPECT_EQ(set.size(), 2u);
  EXPECT_LT((Endpoint{1, 2}), (Endpoint{1, 3}));
}

}  // namespace
}  // namespace koe
