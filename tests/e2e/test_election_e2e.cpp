// Supernode election with real koe processes on loopback, each node on its own
// 127.0.0.x address (the reachability test needs a probe from an address the node never
// sent to): the first node of a new network serves it, returning nodes rejoin from
// the host cache, a busy network promotes more supernodes, and clients of a supernode
// that leaves (gracefully or killed) reattach elsewhere without losing a record.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/support/child_process.hpp"
#include "tests/support/stats_file.hpp"

namespace koe {
namespace {

using namespace std::chrono_literals;
using test::ChildProcess;
using test::read_stats;
using nlohmann::json;
namespace fs = std::filesystem;

// Seconds since midnight of a log line's "HH:MM:SS.mmm " stamp.
double stamp_seconds(const std::string& line) {
  int h = 0, m = 0, sec = 0, ms = 0;
  if (std::sscanf(line.c_str(), "%d:%d:%d.%d", &h, &m, &sec, &ms) != 4) return -1;
  return h * 3600.0 + m * 60.0 + sec + ms / 1000.0;
}

// From a client's log: the seconds between the last time it left its supernode (lost,
// keepalives unanswered, or handed over) and being online again; -1 if never.
double reattach_seconds(const json& stats) {
  double noticed = -1, online = -1;
  for (const auto& entry : stats["log"]) {
    const std::string line = entry.get<std::string>();
    if (line.find(" lost") != std::string::npos || line.find("stopped answering") != std::string::npos ||
        line.find("moving on from") != std::string::npos) {
      noticed = stamp_seconds(line);
      online = -1;
    } else if (noticed >= 0 && online < 0 && line.find(" online ") != std::string::npos) {
      // "online via supernode ...", or "online acting as supernode" (it was promoted)
      online = stamp_seconds(line);
    }
  }
  return noticed >= 0 && online >= 0 ? online - noticed : -1;
}


class ElectionE2e : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::make_temp_dir("koe-election-"); }
  void TearDown() override {
    for (auto& [name, node] : nodes_) {
      node->signal(SIGTERM);
      node->wait_exit(20s);
    }
    fs::remove_all(dir_);
  }

  fs::path profile(const std::string& name) const { return dir_ / name; }
  fs::path stats(const std::string& name) const { return dir_ / (name + ".json"); }
  // Node n gets 127.0.0.(n + 1) and a port chosen now, kept across restarts.
  std::string address(int n) const { return "127.0.0." + std::to_string(n + 1); }
  std::string endpoint(int n) {
    if (!ports_.contains(n)) ports_[n] = test::free_udp_port();
    return address(n) + ":" + std::to_string(ports_[n]);
  }
  static std::string name(int n) { return "n" + std::to_string(n); }

  ChildProcess* start(int n, std::vector<std::string> extra) {
    std::vector<std::string> argv = {KOE_BINARY, "--headless", "--profile", profile(name(n)), "--name", name(n),
                                     "--bind", address(n), "--listen", std::to_string(ports_.at(n)),
                                     "--stats-json", stats(name(n))};
    argv.insert(argv.end(), extra.begin(), extra.end());
    const fs::path logs = dir_ / ("logs-" + name(n) + "-" + std::to_string(++starts_));
    fs::create_directories(logs);
    auto& node = nodes_[n];
    node = std::make_unique<ChildProcess>(argv, logs);
    EXPECT_TRUE(node->wait_for_output("listening on UDP port", 30s)) << node->stderr_text();
    return node.get();
  }
  void start_node(int n, std::vector<std::string> extra) {
    (void)endpoint(n);
    start(n, std::move(extra));
  }
  void stop(int n, int signal_number) {
    nodes_.at(n)->signal(signal_number);
    EXPECT_TRUE(nodes_.at(n)->wait_exit(30s).has_value());
    nodes_.erase(n);
  }

  json stats_of(int n) const { return read_stats(stats(name(n))); }
  bool wait_stats(int n, const std::function<bool(const json&)>& predicate, std::chrono::milliseconds limit = 60s) {
    return ChildProcess::wait_for(
        [&] {
          const json s = stats_of(n);
          return s.is_object() && predicate(s);
        },
        limit);
  }
  static bool is_supernode(const json& s) { return s["role"] == "supernode"; }
  // Online: a supernode, or a client attached to one.
  static bool online(const json& s) { return s["online"] == true && (is_supernode(s) || s["supernode"] != ""); }

  std::string id_of(int n) {
    std::string out;
    EXPECT_EQ(ChildProcess::run({KOE_BINARY, "id", "--profile", profile(name(n))}, dir_, &out), 0);
    return out.substr(0, out.find('\n'));
  }
  // A one-shot search through the supernode `via` finds node `n`'s record by its ID.
  bool found(int via, int n) {
    std::string out, err;
    const int status = ChildProcess::run({KOE_BINARY, "search", id_of(n), "--profile", profile("searcher"),
                                          "--bootstrap", endpoint(via)},
                                         dir_, &out, &err, 60s);
    if (status == 0 && out.find(id_of(n)) != std::string::npos) return true;
    ADD_FAILURE() << "search for node " << n << " through node " << via << ": " << err << out << "\n"
                  << stats_of(n).dump();
    return false;
  }

  // Stops supernode `gone` with `signal_number`; then every node still running must be
  // served by another. Prints how long its clients took, counted from when each noticed
  // it was gone (its log), and checks that against `bound_s` (generous: a busy machine).
  void supernode_leaves(int gone, int signal_number, double bound_s) {
    std::vector<int> clients;
    for (const auto& [n, node] : nodes_)
      if (n != gone && stats_of(n)["supernode"] == endpoint(gone)) clients.push_back(n);
    const auto stopped_at = std::chrono::steady_clock::now();
    stop(gone, signal_number);
    for (const auto& [n, node] : nodes_) {
      EXPECT_TRUE(wait_stats(n, [&](const json& s) { return online(s) && s["supernode"] != endpoint(gone); }, 90s))
          << "node " << n << ": " << stats_of(n).dump();
    }
    std::printf("node %d (signal %d): every node served elsewhere %.1f s later\n", gone, signal_number,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - stopped_at).count());
    for (const int n : clients) {
      const double seconds = reattach_seconds(stats_of(n));
      std::printf("  its client node %d reattached %.2f s after it noticed\n", n, seconds);
      EXPECT_GE(seconds, 0) << stats_of(n).dump();
      EXPECT_LE(seconds, bound_s);
    }
  }

  fs::path dir_;
  std::map<int, uint16_t> ports_;
  std::map<int, std::unique_ptr<ChildProcess>> nodes_;
  int starts_ = 0;
};

// Two nodes: the first serves its new network; the second attaches to it and, with no
// second supernode to prove it reachable, stays a client; restarted without the
// bootstrap list it rejoins through its host cache.
TEST_F(ElectionE2e, TwoNodesFirstServesSecondAttachesAndRejoinsFromTheHostCache) {
  start_node(1, {"--supernode", "auto"});
  ASSERT_TRUE(wait_stats(1, is_supernode)) << stats_of(1).dump();
  start_node(2, {"--supernode", "auto", "--bootstrap", endpoint(1)});
  ASSERT_TRUE(wait_stats(2, [&](const json& s) { return online(s) && s["supernode"] == endpoint(1); }))
      << stats_of(2).dump();
  EXPECT_EQ(stats_of(2)["role"], "client");
  EXPECT_EQ(stats_of(2)["supernode_eligible"], false);
  ASSERT_TRUE(wait_stats(1, [](const json& s) { return s["supernode_load"]["attached_clients"] == 2; }))
      << stats_of(1).dump();  // itself and node 2
  // Node 2 measures its upstream with packet trains to node 1 (loopback: fast), and is
  // still not eligible: a lone supernode has no partner to prove it reachable.
  ASSERT_TRUE(wait_stats(2, [](const json& s) { return s["upstream_kbps"].is_number(); })) << stats_of(2).dump();
  EXPECT_GE(stats_of(2)["upstream_kbps"].get<double>(), 1000);
  EXPECT_EQ(stats_of(2)["supernode_eligible"], false);

  stop(2, SIGTERM);
  start(2, {"--supernode", "auto"});  // no --bootstrap: the host cache knows node 1
  EXPECT_TRUE(wait_stats(2, [&](const json& s) { return online(s) && s["supernode"] == endpoint(1); }))
      << stats_of(2).dump();
  EXPECT_EQ(stats_of(2)["role"], "client");
}

// Ten nodes whose supernodes take at most 4 clients: load promotes more supernodes until
// everyone is served; a killed supernode's clients and a departing one's reattach
// elsewhere, and every record is still found.
TEST_F(ElectionE2e, TenNodesPromoteOnLoadAndSurviveSupernodesLeaving) {
  const std::vector<std::string> volunteer = {"--supernode-max-clients", "4", "--election-min-uptime", "0",
                                              "--election-reaction", "3", "--election-min-cpu", "0"};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.end(), volunteer.begin(), volunteer.end());
    return extra;
  };
  start_node(1, with({"--supernode", "auto"}));  // the first node: serves at once
  ASSERT_TRUE(wait_stats(1, is_supernode));
  // A second supernode so that the others can prove they are reachable (a partner probe).
  start_node(2, with({"--supernode", "always", "--bootstrap", endpoint(1)}));
  ASSERT_TRUE(wait_stats(2, is_supernode));
  // Node 1 names node 2 to the newcomers' reachability tests once its overlay knows it.
  ASSERT_TRUE(wait_stats(1, [](const json& s) { return s["supernode_load"]["routing_contacts"] == 1; }));
  for (int n = 3; n <= 10; ++n) start_node(n, with({"--supernode", "auto", "--bootstrap", endpoint(1)}));

  auto settled = [&] {
    int supernodes = 0;
    for (int n = 1; n <= 10; ++n) {
      const json s = stats_of(n);
      if (!s.is_object() || !online(s)) return false;
      if (is_supernode(s)) {
        ++supernodes;
        if (s["supernode_load"]["attached_clients"].get<int>() > 4) return false;
      }
    }
    return supernodes >= 3;
  };
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(ChildProcess::wait_for(settled, 180s)) << [&] {
    std::string all;
    for (int n = 1; n <= 10; ++n) all += stats_of(n).dump() + "\n";
    return all;
  }();
  size_t promoted = 0;
  for (int n = 3; n <= 10; ++n) promoted += is_supernode(stats_of(n)) ? 1 : 0;
  ASSERT_GT(promoted, 0u);
  std::printf("settled %.1f s after the clients started: %zu promoted\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), promoted);
  for (int n = 1; n <= 10; ++n) EXPECT_TRUE(found(1, n)) << "record of node " << n;

  // The clients of a killed supernode find another (after their link with it times out).
  // Node 1 stays to search through; of the others, the busiest is killed and the next
  // busiest shuts down.
  auto busiest_except = [&](std::vector<int> spared) {
    int chosen = 0, most = -1;
    for (int n = 2; n <= 10; ++n) {
      const json s = stats_of(n);
      if (!is_supernode(s) || std::find(spared.begin(), spared.end(), n) != spared.end()) continue;
      if (const int clients = s["supernode_load"]["attached_clients"].get<int>(); clients > most) {
        chosen = n;
        most = clients;
      }
    }
    return chosen;
  };
  const int killed = busiest_except({});
  const int graceful = busiest_except({killed});
  ASSERT_NE(graceful, 0);
  // The killed one's clients notice when their link with it times out; the departing
  // one hands its clients over. Targets after noticing: 5 s and 3 s.
  supernode_leaves(killed, SIGKILL, 15);
  supernode_leaves(graceful, SIGTERM, 10);
  for (int n = 2; n <= 10; ++n) {
    if (n == killed || n == graceful) continue;
    EXPECT_TRUE(found(1, n)) << "record of node " << n;
  }
}

}  // namespace
}  // namespace koe
