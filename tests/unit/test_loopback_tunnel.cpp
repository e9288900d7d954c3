// LoopbackTunnel: what the node's socket sends to the tunnel is drained for the relay;
// what the relay brings is injected so it arrives from the tunnel's endpoint; datagrams
// from anyone else are dropped and counted. Loopback only.
#include "net/loopback_tunnel.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>

#include "tests/support/udp_test_socket.hpp"

namespace koe {
namespace {

TEST(LoopbackTunnel, CarriesBothWaysAndRefusesStrangers) {
  test::UdpTestSocket node;  // plays the node's socket
  test::UdpTestSocket stranger;
  auto opened = LoopbackTunnel::open(node.local());
  ASSERT_TRUE(std::holds_alternative<std::unique_ptr<LoopbackTunnel>>(opened)) << std::get<std::string>(opened);
  auto& tunnel = *std::get<std::unique_ptr<LoopbackTunnel>>(opened);
  EXPECT_TRUE(tunnel.endpoint().is_loopback());

  node.send_to(tunnel.endpoint(), Bytes{1, 2, 3});
  stranger.send_to(tunnel.endpoint(), Bytes{9});
  // Loopback delivery is immediate, but wait on the condition (generously) all the same.
  std::vector<Bytes> drained;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (drained.size() + tunnel.dropped() < 2 && std::chrono::steady_clock::now() < deadline) {
    for (auto& d : tunnel.drain(8)) drained.push_back(std::move(d));
    pollfd readable{tunnel.fd(), POLLIN, 0};
    if (drained.size() + tunnel.dropped() < 2) ::poll(&readable, 1, 50);
  }
  ASSERT_EQ(drained.size(), 1u);
  EXPECT_EQ(drained.front(), (Bytes{1, 2, 3}));
  EXPECT_EQ(tunnel.dropped(), 1u);

  tunnel.inject(Bytes{4, 5});
  Endpoint from;
  const auto got = node.receive(std::chrono::seconds(5), &from);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, (Bytes{4, 5}));
  EXPECT_EQ(from, tunnel.endpoint());
}

}  // namespace
}  // namespace koe
