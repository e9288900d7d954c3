#include "tests/sim/election_command.hpp"

#include <fstream>
#include <iostream>
#include <memory>

#include "tests/sim/election_world.hpp"

namespace koe::sim {

namespace {

struct ElectionCommand {
  ElectionSimOptions world;
  double min_uptime_min = 240, max_delay_s = 300, min_role_h = 24;
  std::string json_path;
  bool require_targets = false;
};

// The targets, checked on the steady-state window; adds a "targets" section.
bool check_targets(nlohmann::json& report) {
  nlohmann::json targets = nlohmann::json::array();
  bool all = true;
  auto check = [&](const char* name, double value, double limit, bool at_least) {
    const bool pass = at_least ? value >= limit : value <= limit;
    all = all && pass;
    targets.push_back({{"target", name}, {"value", value}, {at_least ? "at_least" : "at_most", limit}, {"pass", pass}});
  };
  const auto& steady = report["steady"];
  check("steady samples", steady["samples"].get<double>(), 1, true);
  check("supernode ratio min", steady["ratio"]["min"].get<double>(), 0.005, true);
  check("supernode ratio max", steady["ratio"]["max"].get<double>(), 0.02, false);
  check("busiest supernode / mean load", steady["busiest_over_mean_max"].get<double>(), 2, false);
  check("elective role changes per supernode per day", steady["elective_role_changes_per_supernode_day"].get<double>(),
        1, false);
  check("nodes changing role twice within a day", report["node_changes_within_a_day"].get<double>(), 0, false);
  const auto& detect = steady["orphaned_after_detection_s"];
  check("orphaned after detection, max s", detect.contains("max") ? detect["max"].get<double>() : 0.0, 5, false);
  report["targets"] = targets;
  return all;
}

}  // namespace

void add_election_command(CLI::App& app) {
  auto c = std::make_shared<ElectionCommand>();
  ElectionSimOptions& o = c->world;
  ElectionConfig& e = o.election;
  CLI::App* cmd = app.add_subcommand(
      "election",
      "Supernode election: N online nodes with a NAT mix and log-normal churn, each running the real election core; "
      "attachment, load and handover are modeled directly (not the index protocol). JSON report on stdout: "
      "supernode ratio, clients per supernode, attach latency, orphaned-client seconds, role changes per hour");
  cmd->add_option("--seed", o.seed, "Seed of every random choice (same seed, same run)")->capture_default_str();
  cmd->add_option("--nodes", o.nodes, "Nodes online at every instant (a departing node is replaced by a new one)")
      ->check(CLI::Range(1u, 10000000u))
      ->capture_default_str();
  cmd->add_option("--hours", o.hours, "Simulated hours")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--settle-hours", o.settle_hours, "The steady-state window (targets, rates) starts here")
      ->capture_default_str();
  cmd->add_option("--sample-minutes", o.sample_minutes, "Step of the time series in the report")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--public", o.public_fraction, "Fraction with a public address or endpoint-independent NAT")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--symmetric", o.symmetric_fraction, "Fraction behind symmetric NATs (the rest: cone NATs)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--consent-never", o.consent_never, "Fraction of users with --supernode never")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--consent-always", o.consent_always, "Fraction of users with --supernode always")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--upstream-kbps", o.upstream_median_kbps, "Median measured upstream (log-normal)")
      ->capture_default_str();
  cmd->add_option("--upstream-sigma", o.upstream_sigma, "Shape of the upstream distribution")->capture_default_str();
  cmd->add_option("--session-h", o.session_median_h, "Median session length in hours (log-normal)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--session-sigma", o.session_sigma, "Shape of the session lengths")->capture_default_str();
  cmd->add_option("--abrupt", o.abrupt_fraction, "Fraction of supernode departures without a goodbye")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--report-interval-s", o.report_interval_s, "How often a candidate hears its known supernodes' loads")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--known", o.known_supernodes, "Supernode loads a node hears about")->capture_default_str();
  cmd->add_option("--attach-choices", o.attach_choices, "A client attaches to the least loaded of this many")
      ->check(CLI::Range(1u, 64u))
      ->capture_default_str();
  cmd->add_option("--rtt-ms", o.rtt_median_ms, "Median round trip (log-normal, capped at 1 s)")->capture_default_str();
  cmd->add_option("--rtt-sigma", o.rtt_sigma, "Shape of the round trips")->capture_default_str();
  cmd->add_option("--keepalive-s", o.keepalive_s, "Keep-alive period; a supernode is dead after 2 missed")
      ->capture_default_str();
  cmd->add_option("--high-water", e.high_water, "Promote when known supernodes' utilisation is above this")
      ->capture_default_str();
  cmd->add_option("--low-water", e.low_water, "Demote when it is below this")->capture_default_str();
  cmd->add_option("--target", e.target, "Corrections aim at this utilisation")->capture_default_str();
  cmd->add_option("--damping", e.damping, "Share of the computed correction applied at once")->capture_default_str();
  cmd->add_option("--max-clients", e.max_clients, "Clients one supernode serves at most")->capture_default_str();
  cmd->add_option("--min-uptime-min", c->min_uptime_min, "Uptime a candidate needs, minutes")->capture_default_str();
  cmd->add_option("--min-upstream-kbps", e.min_upstream_kbps, "Upstream a candidate needs")->capture_default_str();
  cmd->add_option("--max-delay-s", c->max_delay_s, "Largest random reaction delay, seconds")->capture_default_str();
  cmd->add_option("--min-role-h", c->min_role_h, "Minimum time in a role after a change, hours")->capture_default_str();
  cmd->add_option("--shrink-at-h", o.shrink_at_h, "From this hour on, departing nodes are not replaced ...")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--shrink-to", o.shrink_to, "... until only this fraction of --nodes is online (1: no shrinking)")
      ->check(CLI::Range(0.01, 1.0))
      ->capture_default_str();
  cmd->add_option("--json", c->json_path, "Also write the JSON report to this file");
  cmd->add_flag(
      "--require-targets", c->require_targets,
      "Exit 1 unless the issue's targets hold in the steady window (ratio 0.5-2%, busiest <= 2x mean, "
      "<= 1 elective role change per supernode per day, no node changing twice a day, orphan <= 5 s after detection)");
  cmd->callback([c] {
    ElectionSimOptions options = c->world;
    options.election.min_uptime = std::chrono::seconds(static_cast<int64_t>(c->min_uptime_min * 60));
    options.election.max_reaction_delay = std::chrono::seconds(static_cast<int64_t>(c->max_delay_s));
    options.election.min_role_time = std::chrono::seconds(static_cast<int64_t>(c->min_role_h * 3600));
    std::cerr << "koe-sim election: seed " << options.seed << ", " << options.nodes << " nodes, " << options.hours
              << " h\n";
    ElectionWorld world(options);
    nlohmann::json report = world.run(std::cerr);
    const bool pass = check_targets(report);
    const std::string text = report.dump(2);
    std::cout << text << std::endl;
    if (!c->json_path.empty()) std::ofstream(c->json_path) << text << '\n';
    if (c->require_targets && !pass) throw CLI::RuntimeError("a required target was missed", 1);
  });
}

}  // namespace koe::sim
