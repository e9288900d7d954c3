// koe as a real process: --headless starts, answers on its UDP port and stops
// cleanly on SIGINT/SIGTERM; option and profile errors are clear.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "net/probe.hpp"
#include "net/user_id.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/udp_test_socket.hpp"

namespace koe {
namespace {

using namespace std::chrono_literals;
using test::ChildProcess;
namespace fs = std::filesystem;

class Headless : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::make_temp_dir("koe-e2e-"); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path profile() const { return dir_ / "profile"; }
  std::vector<std::string> koe(std::vector<std::string> args) const {
    args.insert(args.begin(), KOE_BINARY);
    return args;
  }
  fs::path dir_;
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void expect_clean_stop_on(int signal_number, const std::vector<std::string>& argv, const fs::path& dir) {
  const uint16_t port = test::free_udp_port();
  auto args = argv;
  args.push_back("--listen");
  args.push_back(std::to_string(port));
  ChildProcess node(args, dir);
  ASSERT_TRUE(node.wait_for_output("listening on UDP port " + std::to_string(port), 30s))
      << node.stdout_text() << node.stderr_text();

  // It answers a reflexive-address probe on the advertised port.
  test::UdpTestSocket client;
  const Endpoint target{Endpoint::make_ip(127, 0, 0, 1), port};
  std::optional<Bytes> reply;
  ChildProcess::wait_for(
      [&] {
        client.send_to(target, encode_probe_request({.nonce = 99}));
        reply = client.receive(200ms);
        return reply.has_value();
      },
      10s);
  ASSERT_TRUE(reply);
  ASSERT_TRUE(decode_probe_response(*reply));
  EXPECT_EQ(decode_probe_response(*reply)->observed, client.local());

  node.signal(signal_number);
  const auto status = node.wait_exit(30s);
  ASSERT_TRUE(status) << "did not stop";
  EXPECT_EQ(*status, 0) << node.stderr_text();
  EXPECT_NE(node.stdout_text().find("stopped on signal " + std::to_string(signal_number)), std::string::npos);
}

TEST_F(Headless, StopsCleanlyOnSigterm) {
  expect_clean_stop_on(SIGTERM, koe({"--headless", "--profile", profile()}), dir_);
}

TEST_F(Headless, StopsCleanlyOnSigint) {
  expect_clean_stop_on(SIGINT, koe({"--headless", "--profile", profile()}), dir_);
}

TEST_F(Headless, DurationStopsByItself) {
  std::string out;
  EXPECT_EQ(ChildProcess::run(koe({"--headless", "--profile", profile(), "--duration", "0.3"}), dir_, &out), 0);
  EXPECT_NE(out.find("stopped after"), std::string::npos) << out;
}

TEST_F(Headless, IdIsStableAndValid) {
  std::string first, second, err;
  ASSERT_EQ(ChildProcess::run(koe({"id", "--profile", profile()}), dir_, &first, &err), 0) << err;
  ASSERT_EQ(ChildProcess::run(koe({"id", "--profile", profile()}), dir_, &second), 0);
  EXPECT_EQ(first, second);
  ASSERT_FALSE(first.empty());
  first.pop_back();  // newline
  EXPECT_TRUE(parse_user_id(first)) << first;
  struct stat st{};
  ASSERT_EQ(::stat((profile() / "identity.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(Headless, ListenPortIsRememberedInTheProfile) {
  std::string out;
  ASSERT_EQ(ChildProcess::run(koe({"--headless", "--profile", profile(), "--duration", "0.2"}), dir_, &out), 0);
  const auto port_line = out.substr(out.find("UDP port "), 16);
  ASSERT_EQ(ChildProcess::run(koe({"--headless", "--profile", profile(), "--duration", "0.2"}), dir_, &out), 0);
  EXPECT_NE(out.find(port_line), std::string::npos) << port_line << " vs " << out;
}

TEST_F(Headless, BadOptionsExitTwoNamingTheOption) {
  std::string err;
  EXPECT_EQ(ChildProcess::run(koe({"--headless", "--frobnicate"}), dir_, nullptr, &err), 2);
  EXPECT_NE(err.find("--frobnicate"), std::string::npos) << err;
  EXPECT_EQ(ChildProcess::run(koe({"--headless", "--listen", "80"}), dir_, nullptr, &err), 2);
  EXPECT_NE(err.find("--listen"), std::string::npos) << err;
}

TEST_F(Headless, HelpAndVersion) {
  std::string out;
  EXPECT_EQ(ChildProcess::run(koe({"--help"}), dir_, &out), 0);
  EXPECT_NE(out.find("--headless"), std::string::npos);
  EXPECT_EQ(ChildProcess::run(koe({"--version"}), dir_, &out), 0);
  EXPECT_EQ(out.rfind("koe ", 0), 0u);
}

TEST_F(Headless, PortInUseIsAClearError) {
  const uint16_t port = test::free_udp_port();
  ChildProcess first(koe({"--headless", "--profile", profile(), "--listen", std::to_string(port)}), dir_);
  ASSERT_TRUE(first.wait_for_output("listening", 30s)) << first.stderr_text();
  std::string err;
  EXPECT_EQ(ChildProcess::run(koe({"--headless", "--profile", dir_ / "other", "--listen", std::to_string(port)}),
                              dir_, nullptr, &err),
            1);
  EXPECT_NE(err.find("UDP port " + std::to_string(port) + " is already in use"), std::string::npos) << err;
  first.signal(SIGTERM);
  EXPECT_EQ(first.wait_exit(30s), 0);
}

TEST_F(Headless, CorruptIdentityIsReportedAndKept) {
  ASSERT_EQ(ChildProcess::run(koe({"id", "--profile", profile()}), dir_), 0);
  const fs::path key = profile() / "identity.key";
  std::string bytes = read_file(key);
  bytes[bytes.size() / 2] ^= 0x5a;  // damage the middle of the file
  {
    std::ofstream out(key, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  std::string err;
  EXPECT_EQ(ChildProcess::run(koe({"--headless", "--profile", profile(), "--duration", "0.2"}), dir_, nullptr, &err), 1);
  EXPECT_NE(err.find(key.string()), std::string::npos) << err;
  EXPECT_EQ(read_file(key), bytes);  // untouched, never regenerated
}

TEST_F(Headless, WithoutADisplayPointsToHeadless) {
  std::string err;
  EXPECT_EQ(ChildProcess::run({"/usr/bin/env", "-u", "DISPLAY", "-u", "WAYLAND_DISPLAY", KOE_BINARY,
                               "--profile", profile()},
                              dir_, nullptr, &err),
            1);
  EXPECT_NE(err.find("--headless"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}

}  // namespace
}  // namespace koe
