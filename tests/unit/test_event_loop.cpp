// The real UDP event loop on loopback: our datagrams reach the handler through
// ENet's intercept hook, ENet connections still work on the same socket, posted
// commands run on the net thread, and a taken port gives a clear error.
#include "net/event_loop.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "net/probe.hpp"
#include "net/wire.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/udp_test_socket.hpp"

namespace koe {
namespace {

using namespace std::chrono_literals;
using test::ChildProcess;

const uint32_t kLoopback = Endpoint::make_ip(127, 0, 0, 1);

// Answers probes; records ENet connects; counts timer calls.
class ProbeHandler final : public LoopHandler {
 public:
  explicit ProbeHandler(DatagramTransport& transport) : transport_(transport) {}
  void on_datagram(TimePoint, const Endpoint& from, ByteView bytes) override {
    ++datagrams;
    if (auto reply = respond_to_probe(from, bytes)) transport_.send(from, *reply);
  }
  void on_enet_event(TimePoint, const ENetEvent& event) override {
    if (event.type == ENET_EVENT_TYPE_CONNECT) ++connects;
  }
  void on_timer(TimePoint now) override {
    ++timers;
    timer_at = kNever;
    (void)now;
  }
  TimePoint next_timeout() const override { return timer_at; }

  std::atomic<int> datagrams{0}, connects{0}, timers{0};
  TimePoint timer_at = kNever;

 private:
  DatagramTransport& transport_;
};

struct LoopUnderTest {
  LoopUnderTest() {
    auto opened = UdpHost::open({.bind = {kLoopback, test::free_udp_port()}});
    EXPECT_TRUE(std::holds_alternative<std::unique_ptr<UdpHost>>(opened));
    loop = std::make_unique<EventLoop>(std::move(std::get<std::unique_ptr<UdpHost>>(opened)), clock);
    handler = std::make_unique<ProbeHandler>(loop->host());
    endpoint = loop->host().local_endpoint();
    thread = std::thread([this] { loop->run(*handler); });
  }
  ~LoopUnderTest() {
    loop->stop();
    thread.join();
  }
  SteadyClock clock;
  std::unique_ptr<EventLoop> loop;
  std::unique_ptr<ProbeHandler> handler;
  Endpoint endpoint;
  std::thread thread;
};

TEST(EventLoop, RoutesOurDatagramsToTheHandlerAndAnswersOnTheSameSocket) {
  LoopUnderTest node;
  test::UdpTestSocket client;
  client.send_to(node.endpoint, encode_probe_request({.nonce = 42}));
  Endpoint from;
  const auto reply = client.receive(10s, &from);
  ASSERT_TRUE(reply);
  EXPECT_EQ(from, node.endpoint);  // answered from the node's one socket
  const auto response = decode_probe_response(*reply);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->nonce, 42u);
  EXPECT_EQ(response->observed, client.local());
}

TEST(EventLoop, IgnoresJunkAndKeepsServing) {
  LoopUnderTest node;
  test::UdpTestSocket client;
  const Bytes junk{0x00, 0x01, 0x02};
  for (int i = 0; i < 100; ++i) client.send_to(node.endpoint, junk);
  client.send_to(node.endpoint, encode_probe_request({.nonce = 7}));
  const auto reply = client.receive(10s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(decode_probe_response(*reply)->nonce, 7u);
  EXPECT_EQ(node.handler->datagrams.load(), 1);  // junk went to ENet, which ignored it
}

TEST(EventLoop, EnetConnectsOnTheSharedSocket) {
  LoopUnderTest node;
  ENetHost* client = enet_host_create(nullptr, 1, 2, 0, 0);
  ASSERT_NE(client, nullptr);
  ENetAddress address = enet_from_endpoint(node.endpoint);
  ENetPeer* peer = enet_host_connect(client, &address, 2, 0);
  ASSERT_NE(peer, nullptr);
  bool connected = false;
  ChildProcess::wait_for(
      [&] {
        ENetEvent event;
        while (enet_host_service(client, &event, 5) > 0)
          if (event.type == ENET_EVENT_TYPE_CONNECT) connected = true;
        return connected && node.handler->connects.load() == 1;
      },
      10s);
  EXPECT_TRUE(connected);
  EXPECT_EQ(node.handler->connects.load(), 1);
  enet_host_destroy(client);
}

TEST(EventLoop, PostedCommandsRunOnTheNetThreadAndTimersFire) {
  LoopUnderTest node;
  std::atomic<bool> ran{false};
  std::thread::id net_thread;
  node.loop->post([&] {
    net_thread = std::this_thread::get_id();
    node.handler->timer_at = node.clock.now() + 20ms;  // arm a timer from the net thread
    ran = true;
  });
  ASSERT_TRUE(ChildProcess::wait_for([&] { return ran.load(); }, 10s));
  EXPECT_EQ(net_thread, node.thread.get_id());
  EXPECT_TRUE(ChildProcess::wait_for([&] { return node.handler->timers.load() == 1; }, 10s));
}

TEST(UdpHost, PortInUseGivesAClearError) {
  LoopUnderTest node;
  auto second = UdpHost::open({.bind = node.endpoint});
  ASSERT_TRUE(std::holds_alternative<std::string>(second));
  const std::string& error = std::get<std::string>(second);
  EXPECT_NE(error.find(std::to_string(node.endpoint.port)), std::string::npos) << error;
  EXPECT_NE(error.find("in use"), std::string::npos) << error;
}

TEST(UdpHost, RefusesPrivilegedPorts) {
  auto opened = UdpHost::open({.bind = {kLoopback, 1024}});
  ASSERT_TRUE(std::holds_alternative<std::string>(opened));
  EXPECT_NE(std::get<std::string>(opened).find("1025-65535"), std::string::npos);
}

}  // namespace
}  // namespace koe
