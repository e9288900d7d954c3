#include "tests/sim/index_command.hpp"

#include <fstream>
#include <iostream>
#include <memory>

#include "tests/sim/index_scenario.hpp"

namespace koe::sim {

namespace {

struct IndexCommand {
  IndexScenarioOptions scenario;
  double access_median_ms = 15, core_latency_ms = 10, jitter_mean_ms = 2, access_cap_ms = 200;
  std::string json_path;
  double require_success = 0, require_churn_success = 0, require_name_rate = 0;
  double require_hops_p95 = 0, require_latency_rtt_ratio = 0, require_flood_ratio = 0;
};

Duration from_ms(double ms) { return Duration{static_cast<int64_t>(ms * 1000)}; }

// Checks each requested target against the report; adds a "targets" section.
bool check_targets(const IndexCommand& c, nlohmann::json& report) {
  nlohmann::json targets = nlohmann::json::array();
  bool all = true;
  auto check = [&](const char* name, bool requested, double value, double limit, bool at_least) {
    if (!requested) return;
    const bool pass = at_least ? value >= limit : value <= limit;
    all = all && pass;
    targets.push_back({{"target", name}, {"value", value}, {at_least ? "at_least" : "at_most", limit}, {"pass", pass}});
  };
  const auto& steady = report["phases"]["steady"];
  check("steady lookup success", c.require_success > 0, steady["success_rate"].get<double>(), c.require_success, true);
  if (report["phases"].contains("churn")) {
    check("churn lookup success", c.require_churn_success > 0, report["phases"]["churn"]["success_rate"].get<double>(),
          c.require_churn_success, true);
  }
  check("name found within window", c.require_name_rate > 0, steady["name_search"]["rate"].get<double>(),
        c.require_name_rate, true);
  check("hops p95", c.require_hops_p95 > 0, steady["hops"]["p95"].get<double>(), c.require_hops_p95, false);
  const double rtt = report["link_rtt"]["p95_basis_ms"].get<double>();
  check("latency p95 / link rtt p95", c.require_latency_rtt_ratio > 0,
        rtt > 0 ? steady["latency_ms"]["p95"].get<double>() / rtt : 0.0, c.require_latency_rtt_ratio, false);
  if (report["flooding"].contains("equal_success")) {
    const auto& eq = report["flooding"]["equal_success"];
    check("flooding messages / index messages", c.require_flood_ratio > 0,
          eq["reached"].get<bool>() ? eq["message_ratio"].get<double>() : 0.0, c.require_flood_ratio, true);
  }
  report["targets"] = targets;
  return all;
}

}  // namespace

void add_index_command(CLI::App& app) {
  auto c = std::make_shared<IndexCommand>();
  IndexScenarioOptions& o = c->scenario;
  CLI::App* cmd = app.add_subcommand(
      "index",
      "Global Index: supernodes and users running the real index cores; reports lookup success, hops, latency, "
      "messages, per-supernode load, name-search delay and the Lookup-Hit flooding comparison as JSON on stdout");
  cmd->add_option("--seed", o.seed, "Seed of every random choice (same seed, same run)")->capture_default_str();
  cmd->add_option("--supernodes", o.supernodes, "Supernodes in the overlay")->capture_default_str();
  cmd->add_option("--users", o.users, "Ordinary nodes online at once")->capture_default_str();
  cmd->add_option("--spare-users", o.spare_users, "Extra offline users for churn and name probes, as a fraction of --users")
      ->capture_default_str();
  cmd->add_option("-k,--replication", o.node.replication, "Replicas per record and keyword (k); at most 8")
      ->check(CLI::Range(1, 8))
      ->capture_default_str();
  cmd->add_option("--alpha", o.node.parallelism, "Requests in flight per lookup (alpha)")->capture_default_str();
  cmd->add_option("--bucket-size", o.node.bucket_size, "Contacts per routing-table bucket")->capture_default_str();
  cmd->add_option("--access-median-ms", c->access_median_ms, "Median one-way access latency of a host (log-normal)")
      ->capture_default_str();
  cmd->add_option("--access-sigma", o.links.access_sigma, "Shape (sigma) of the log-normal access latency")
      ->capture_default_str();
  cmd->add_option("--access-cap-ms", c->access_cap_ms, "Largest one-way access latency")->capture_default_str();
  cmd->add_option("--core-latency-ms", c->core_latency_ms, "One-way latency across the core, per datagram")
      ->capture_default_str();
  cmd->add_option("--jitter-ms", c->jitter_mean_ms, "Mean of the normal per-datagram jitter (sd is half of it)")
      ->capture_default_str();
  cmd->add_option("--loss", o.links.loss, "Independent loss probability per datagram")->capture_default_str();
  cmd->add_option("--join-s", o.join_s, "Seconds over which supernodes join")->capture_default_str();
  cmd->add_option("--ramp-s", o.ramp_s, "Seconds over which users come online")->capture_default_str();
  cmd->add_option("--settle-s", o.settle_s, "Seconds of quiet before measuring")->capture_default_str();
  cmd->add_option("--steady-s", o.steady_s, "Length of the measured phase without churn")->capture_default_str();
  cmd->add_option("--churn-s", o.churn_s, "Length of the measured churn phase (0: none)")->capture_default_str();
  cmd->add_option("--abrupt-failure", o.abrupt_failure, "Fraction of supernodes that fail at once in the churn phase")
      ->capture_default_str();
  cmd->add_option("--abrupt-at-s", o.abrupt_at_s, "When the abrupt failure happens, seconds into the churn phase")
      ->capture_default_str();
  cmd->add_option("--supernode-uptime-h", o.supernode_median_uptime_h,
                  "Median supernode session length in hours (log-normal; Skype measured 5.5)")
      ->capture_default_str();
  cmd->add_option("--supernode-uptime-sigma", o.supernode_uptime_sigma, "Shape of the supernode session lengths")
      ->capture_default_str();
  cmd->add_option("--user-session-min", o.user_median_session_min, "Median user session length in minutes (log-normal)")
      ->capture_default_str();
  cmd->add_option("--user-session-sigma", o.user_session_sigma, "Shape of the user session lengths")->capture_default_str();
  cmd->add_option("--lookup-rate", o.lookup_rate, "ID lookups per second, random online user to random online user")
      ->capture_default_str();
  cmd->add_option("--probe-rate", o.probe_rate, "Users per second who come online and are then searched for by name")
      ->capture_default_str();
  cmd->add_option("--probe-window-s", o.probe_window_s, "How long after coming online a name search must find the user")
      ->capture_default_str();
  cmd->add_option("--flood-lookups", o.flood_lookups, "Steady-phase lookups replayed under Lookup-Hit flooding")
      ->capture_default_str();
  cmd->add_option("--flood-degree", o.flood_degree, "Average neighbours per supernode in the flooding graph")
      ->capture_default_str();
  cmd->add_option("--flood-max-ttl", o.flood_max_ttl, "Largest hop limit tried for flooding")->capture_default_str();
  cmd->add_option("--json", c->json_path, "Also write the JSON report to this file");
  cmd->add_option("--require-success", c->require_success, "Exit 1 unless steady lookup success is at least this");
  cmd->add_option("--require-churn-success", c->require_churn_success, "Exit 1 unless churn lookup success is at least this");
  cmd->add_option("--require-name-rate", c->require_name_rate,
                  "Exit 1 unless this fraction of name probes found the user within the window");
  cmd->add_option("--require-hops-p95", c->require_hops_p95, "Exit 1 unless steady hops p95 is at most this");
  cmd->add_option("--require-latency-rtt-ratio", c->require_latency_rtt_ratio,
                  "Exit 1 unless steady latency p95 is at most this many p95 link round trips");
  cmd->add_option("--require-flood-ratio", c->require_flood_ratio,
                  "Exit 1 unless flooding needs at least this many times the messages at equal success");
  cmd->callback([c] {
    IndexScenarioOptions options = c->scenario;
    options.links.access_median = from_ms(c->access_median_ms);
    options.links.access_cap = from_ms(c->access_cap_ms);
    options.links.core_latency = from_ms(c->core_latency_ms);
    options.links.jitter_mean = from_ms(c->jitter_mean_ms);
    std::cerr << "koe-sim index: seed " << options.seed << ", " << options.supernodes << " supernodes, "
              << options.users << " users\n";
    nlohmann::json report = run_index_scenario(options, std::cerr);
    const bool pass = check_targets(*c, report);
    const std::string text = report.dump(2);
    std::cout << text << std::endl;
    if (!c->json_path.empty()) std::ofstream(c->json_path) << text << '\n';
    if (!pass) throw CLI::RuntimeError("a required target was missed", 1);
  });
}

}  // namespace koe::sim
