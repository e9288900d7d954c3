// SpraySockets: birthday punching's extra sockets, each on its own port; they send and
// receive by number, and keep_only() leaves just the one that punched through. Loopback only.
#include "net/spray_sockets.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <set>

#include "tests/support/udp_test_socket.hpp"

namespace koe {
namespace {

constexpr uint32_t kLoopbackIp = 0x7F000001;

// What arrives on `socket` within a generous bound (loopback delivery is immediate).
std::vector<std::pair<Endpoint, Bytes>> drain_within(const SpraySockets& spray, uint16_t socket, size_t want) {
  std::vector<std::pair<Endpoint, Bytes>> got;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (got.size() < want && std::chrono::steady_clock::now() < deadline) {
    for (auto& d : spray.drain(socket, 8)) got.push_back(std::move(d));
    if (got.size() >= want) break;
    for (const int fd : spray.fds()) {
      if (spray.socket_of(fd) != socket) continue;
      pollfd readable{fd, POLLIN, 0};
      ::poll(&readable, 1, 50);
    }
  }
  return got;
}

TEST(SpraySockets, EachHasItsOwnPortAndCarriesBothWays) {
  SpraySockets spray(7, 16);
  ASSERT_TRUE(spray.error().empty()) << spray.error();
  EXPECT_EQ(spray.generation(), 7u);
  ASSERT_EQ(spray.opened(), 16u);
  EXPECT_EQ(spray.fds().size(), 16u);

  test::UdpTestSocket peer;
  std::set<uint16_t> ports;
  for (uint16_t k = 1; k <= 16; ++k) {
    ASSERT_TRUE(spray.send(k, peer.local(), Bytes{static_cast<uint8_t>(k)}));
    Endpoint from;
    const auto got = peer.receive(std::chrono::seconds(5), &from);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, (Bytes{static_cast<uint8_t>(k)}));
    ports.insert(from.port);
  }
  EXPECT_EQ(ports.size(), 16u) << "a NAT sees sixteen sources, so maps sixteen ports";

  // The peer answers the third socket's source: it arrives there, numbered 3.
  Endpoint third;
  ASSERT_TRUE(spray.send(3, peer.local(), Bytes{0}));
  ASSERT_TRUE(peer.receive(std::chrono::seconds(5), &third).has_value());
  peer.send_to(Endpoint{kLoopbackIp, third.port}, Bytes{42});
  const auto got = drain_within(spray, 3, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got.front().first, peer.local());
  EXPECT_EQ(got.front().second, (Bytes{42}));
  EXPECT_FALSE(spray.send(0, peer.local(), Bytes{1})) << "0 is the node's shared socket, not ours";
  EXPECT_FALSE(spray.send(17, peer.local(), Bytes{1}));
}

TEST(SpraySockets, KeepOnlyClosesTheRest) {
  SpraySockets spray(1, 8);
  ASSERT_EQ(spray.opened(), 8u);
  const std::vector<int> before = spray.fds();
  spray.keep_only(5);
  ASSERT_EQ(spray.fds().size(), 1u);
  EXPECT_EQ(spray.socket_of(spray.fds().front()), 5);
  test::UdpTestSocket peer;
  EXPECT_TRUE(spray.send(5, peer.local(), Bytes{1}));
  EXPECT_FALSE(spray.send(4, peer.local(), Bytes{1}));
  for (const int fd : before) {
    if (fd != spray.fds().front()) {
      EXPECT_FALSE(spray.socket_of(fd).has_value());
    }
  }
}

}  // namespace
}  // namespace koe
