// A real `koe --headless` process accepts a secure session and an ENet link
// from another node on loopback (forged input is covered in test_secure_transport).
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "app/identity_file.hpp"
#include "net/event_loop.hpp"
#include "net/random.hpp"
#include "net/secure_transport.hpp"
#include "tests/support/child_process.hpp"

namespace koe {
namespace {

using namespace std::chrono_literals;
using test::ChildProcess;
namespace fs = std::filesystem;

noise::Key key_of(const Identity& identity) {
  noise::Key k{};
  std::copy(identity.public_key().begin(), identity.public_key().end(), k.begin());
  return k;
}

// The test's own node, driven on this thread.
struct LocalNode final : LoopHandler {
  LocalNode() : identity(Identity::generate(random)) {
    auto opened = UdpHost::open({.bind = {Endpoint::make_ip(127, 0, 0, 1), test::free_udp_port()}});
    loop = std::make_unique<EventLoop>(std::move(std::get<std::unique_ptr<UdpHost>>(opened)), clock);
    secure = std::make_unique<SecureTransport>(identity, loop->host(), loop->host().enet(), random);
  }
  void on_datagram(TimePoint now, const Endpoint& from, ByteView bytes) override { secure->on_datagram(now, from, bytes); }
  void on_enet_event(TimePoint now, const ENetEvent& event) override { secure->on_enet_event(now, event); }
  void on_timer(TimePoint now) override { secure->on_timer(now); }
  TimePoint next_timeout() const override { return secure->next_timeout(); }

  SteadyClock clock;
  SystemRandom random;
  Identity identity;
  std::unique_ptr<EventLoop> loop;
  std::unique_ptr<SecureTransport> secure;
};

TEST(NodeSessions, HeadlessNodeAcceptsAnAuthenticatedSessionAndLink) {
  const fs::path dir = test::make_temp_dir("koe-sessions-");
  const fs::path profile = dir / "profile";
  ASSERT_EQ(ChildProcess::run({KOE_BINARY, "id", "--profile", profile}, dir), 0);
  std::ifstream in(profile / "identity.key", std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto node_identity = parse_identity_file(ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  ASSERT_TRUE(node_identity);

  const uint16_t port = test::free_udp_port();
  {
    ChildProcess node({KOE_BINARY, "--headless", "--profile", profile, "--listen", std::to_string(port)}, dir);
    ASSERT_TRUE(node.wait_for_output("listening", 30s)) << node.stderr_text();

    LocalNode local;
    const noise::Key remote = key_of(*node_identity);
    ASSERT_TRUE(local.secure->connect(local.clock.now(), remote, {Endpoint::make_ip(127, 0, 0, 1), port}));
    EXPECT_TRUE(ChildProcess::wait_for(
        [&] {
          local.loop->run_once(local, 5);
          return local.secure->is_up(remote);
        },
        30s));
    EXPECT_TRUE(local.secure->sessions().established(remote));

    node.signal(SIGTERM);
    EXPECT_EQ(node.wait_exit(30s), 0) << node.stderr_text();
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace koe
