#include "tests/sim/index_scenario.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>

#include "tests/sim/flood_model.hpp"
#include "tests/sim/index_set.hpp"
#include "tests/sim/index_workload.hpp"
#include "tests/sim/name_generator.hpp"

namespace koe::sim {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

Duration seconds(double s) { return Duration{static_cast<int64_t>(s * 1e6)}; }
double to_seconds(Duration d) { return static_cast<double>(d.count()) / 1e6; }

// Log-normal with the given median and shape.
double lognormal(SeededRandom& random, double median, double sigma) {
  const double u1 = std::max(unit_interval(random), 1e-12);
  const double u2 = unit_interval(random);
  return median * std::exp(sigma * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2));
}

// Round-trip times between hosts of the run, from the access latencies drawn for
// them (plus the core link and mean jitter both ways).
nlohmann::json link_rtts(IndexWorld& world, SeededRandom& random) {
  const LinkModel& links = world.config().links;
  const Duration core = links.core_latency + links.jitter_mean;
  std::vector<double> supernode_pairs, client_pairs;
  const size_t sns = world.supernode_count(), users = world.user_count();
  for (int i = 0; i < 20000 && sns > 1; ++i) {
    const size_t a = random.uniform(sns), b = random.uniform(sns);
    if (a == b) continue;
    supernode_pairs.push_back(to_seconds(2 * (world.supernode_access(a) + core + world.supernode_access(b))) * 1e3);
    if (users > 0) {
      const size_t u = random.uniform(users);
      client_pairs.push_back(to_seconds(2 * (world.user_access(u) + core + world.supernode_access(a))) * 1e3);
    }
  }
  const Percentiles sn = percentiles(supernode_pairs), cl = percentiles(client_pairs);
  return {{"supernode_supernode_ms", to_json(sn)},
          {"client_supernode_ms", to_json(cl)},
          {"p95_basis_ms", std::max(sn.p95, cl.p95)}};
}

class Scenario {
 public:
  Scenario(const IndexScenarioOptions& options, std::ostream& log)
      : options_(options), log_(log), world_(world_config(options)), workload_(world_, options.seed + 11),
        random_(options.seed + 13), names_(options.seed + 17) {
    world_.set_client_listener([this](size_t user, const IndexClientEvent& event) {
      if (std::holds_alternative<PublishedEvent>(event)) ++published_;
      workload_.on_client_event(user, event);
    });
    world_.set_node_listener([this](size_t sn, const LookupCompleted& e) { workload_.on_node_event(sn, e); });
  }

  nlohmann::json run();

 private:
  static IndexWorldConfig world_config(const IndexScenarioOptions& o) {
    IndexWorldConfig c;
    c.seed = o.seed;
    c.links = o.links;
    c.node = o.node;
    return c;
  }
  SimNetwork& net() { return world_.net(); }
  void at(TimePoint t, std::function<void()> f) {
    net().schedule(t, [f = std::move(f)](TimePoint) { f(); });
  }
  void start_user(size_t user) {
    offline_.erase(user);
    world_.start_user(user);
    workload_.user_started(user);
  }
  void stop_user(size_t user) {
    workload_.user_stopped(user);
    world_.stop_user(user);
    offline_.insert(user);
  }
  size_t add_supernode() {
    const size_t index = world_.add_supernode();
    workload_.supernode_added(index);
    return index;
  }
  std::optional<size_t> take_offline_user() { return offline_.pick(random_); }
  void build();
  void measure(PhaseStats& phase, bool churn);
  void schedule_workload(PhaseStats& phase);
  void schedule_churn(PhaseStats& phase);
  nlohmann::json setup_report() const;
  // Sums of the live supernodes' counters (since they started).
  nlohmann::json counter_totals() const;

  IndexScenarioOptions options_;
  std::ostream& log_;
  IndexWorld world_;
  IndexWorkload workload_;
  SeededRandom random_;
  NameGenerator names_;
  IndexSet offline_;
  size_t published_ = 0;
  uint64_t setup_datagrams_ = 0;
  double setup_wall_s_ = 0;
};

void Scenario::build() {
  const auto wall = std::chrono::steady_clock::now();
  // Supernodes join one after another; each bootstraps from a few that are up.
  for (size_t i = 0; i < options_.supernodes; ++i) {
    at(TimePoint{} + seconds(options_.join_s * static_cast<double>(i) / static_cast<double>(options_.supernodes)),
       [this] { add_supernode(); });
  }
  net().run_until(TimePoint{} + seconds(options_.join_s + 10));
  log_ << "supernodes joined: " << world_.live_supernodes().size() << "\n";

  const auto pool = static_cast<size_t>(static_cast<double>(options_.users) * (1.0 + options_.spare_users));
  for (size_t u = 0; u < pool; ++u) {
    world_.add_user(names_.next());
    offline_.insert(u);
  }
  const TimePoint ramp_start = net().now();
  for (size_t u = 0; u < options_.users; ++u) {
    at(ramp_start + seconds(options_.ramp_s * static_cast<double>(u) / static_cast<double>(options_.users)),
       [this, u] { start_user(u); });
  }
  net().run_until(ramp_start + seconds(options_.ramp_s + options_.settle_s));
  setup_datagrams_ = net().stats().sent;
  setup_wall_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  log_ << "users online: " << workload_.online() << ", records published: " << published_ << "\n";
}

void Scenario::schedule_workload(PhaseStats& phase) {
  const double duration = to_seconds(phase.end - phase.start);
  const auto lookups = static_cast<size_t>(duration * options_.lookup_rate);
  for (size_t i = 0; i < lookups; ++i) {
    at(phase.start + seconds(static_cast<double>(i) / options_.lookup_rate), [this, &phase] { workload_.issue_lookup(phase); });
  }
  const auto probes = static_cast<size_t>(duration * options_.probe_rate);
  for (size_t i = 0; i < probes; ++i) {
    at(phase.start + seconds((static_cast<double>(i) + 0.5) / options_.probe_rate), [this, &phase] {
      if (const auto user = take_offline_user()) {
        start_user(*user);
        workload_.start_probe(*user, phase, seconds(options_.probe_window_s));
      }
    });
  }
}

void Scenario::schedule_churn(PhaseStats& phase) {
  const double duration = to_seconds(phase.end - phase.start);
  size_t supernode_departures = 0, user_departures = 0;
  // Remaining session lengths drawn afresh at the phase start (log-normal, the
  // memoryless simplification); a departing supernode is replaced by a new one,
  // a departing user by a returning one.
  for (const size_t sn : world_.live_supernodes()) {
    const double left = lognormal(random_, options_.supernode_median_uptime_h * 3600, options_.supernode_uptime_sigma);
    if (left >= duration) continue;
    ++supernode_departures;
    at(phase.start + seconds(left), [this, sn] {
      if (!world_.supernode_alive(sn)) return;
      world_.kill_supernode(sn);
      add_supernode();
    });
  }
  for (size_t user = 0; user < world_.user_count(); ++user) {
    if (!world_.user_online(user)) continue;
    const double left = lognormal(random_, options_.user_median_session_min * 60, options_.user_session_sigma);
    if (left >= duration) continue;
    ++user_departures;
    at(phase.start + seconds(left), [this, user] {
      if (!world_.user_online(user)) return;
      stop_user(user);
      if (const auto back = take_offline_user()) start_user(*back);
    });
  }
  const auto failures = static_cast<size_t>(options_.abrupt_failure * static_cast<double>(world_.live_supernodes().size()));
  at(phase.start + seconds(options_.abrupt_at_s), [this, failures] {
    auto live = world_.live_supernodes();
    for (size_t i = 0; i < failures && !live.empty(); ++i) {
      const size_t pick = random_.uniform(live.size());
      world_.kill_supernode(live[pick]);
      live[pick] = live.back();
      live.pop_back();
    }
    log_ << "abrupt failure: " << failures << " supernodes, " << world_.live_supernodes().size() << " left\n";
  });
  phase.extra["supernode_session_departures"] = supernode_departures;
  phase.extra["user_session_departures"] = user_departures;
  phase.extra["abrupt_failures"] = failures;
}

void Scenario::measure(PhaseStats& phase, bool churn) {
  workload_.add_phase(phase);
  schedule_workload(phase);
  if (churn) schedule_churn(phase);
  workload_.snapshot_load();
  net().run_until(phase.end);
  workload_.record_load(phase);
  // Let the phase's last requests finish (they still count for it).
  net().run_until(phase.end + world_.config().client.request_deadline + std::chrono::seconds(1));
  phase.extra["supernodes_alive"] = world_.live_supernodes().size();
  phase.extra["supernode_counters_so_far"] = counter_totals();
  phase.extra["users_online"] = workload_.online();
  log_ << phase.name << ": " << phase.lookups << " lookups, success " << phase.success_rate() << ", name probes "
       << phase.probes_found << "/" << phase.probes << "\n";
}

nlohmann::json Scenario::counter_totals() const {
  IndexNodeCounters sum;
  for (const size_t i : world_.live_supernodes()) {
    const IndexNodeCounters& c = world_.supernode(i)->counters();
    sum.rate_limited += c.rate_limited;
    sum.malformed += c.malformed;
    sum.unexpected += c.unexpected;
    sum.need_token += c.need_token;
    sum.invalid_records += c.invalid_records;
    sum.replica_stores += c.replica_stores;
    sum.repairs_sent += c.repairs_sent;
  }
  return {{"rate_limited", sum.rate_limited},       {"malformed", sum.malformed},
          {"unexpected_responses", sum.unexpected}, {"need_token", sum.need_token},
          {"invalid_records", sum.invalid_records}, {"replica_stores", sum.replica_stores},
          {"repairs_sent", sum.repairs_sent}};
}

nlohmann::json Scenario::setup_report() const {
  std::vector<double> table, records, keywords;
  for (const size_t i : world_.live_supernodes()) {
    table.push_back(static_cast<double>(world_.supernode(i)->routing().size()));
    records.push_back(static_cast<double>(world_.supernode(i)->records().size()));
    keywords.push_back(static_cast<double>(world_.supernode(i)->keywords().entries()));
  }
  return {{"records_published", published_},
          {"datagrams", setup_datagrams_},
          {"wall_s", setup_wall_s_},
          {"routing_table_size", to_json(percentiles(table))},
          {"records_per_supernode", to_json(percentiles(records))},
          {"keyword_entries_per_supernode", to_json(percentiles(keywords))}};
}

nlohmann::json Scenario::run() {
  const auto wall = std::chrono::steady_clock::now();
  build();
  nlohmann::json report;
  report["setup"] = setup_report();

  PhaseStats steady{"steady", net().now(), net().now() + seconds(options_.steady_s)};
  workload_.sample_for_flooding(steady, options_.flood_lookups);
  measure(steady, false);
  report["phases"]["steady"] = steady.to_json();

  if (options_.churn_s > 0) {
    PhaseStats churn{"churn", net().now(), net().now() + seconds(options_.churn_s)};
    measure(churn, true);
    report["phases"]["churn"] = churn.to_json();
  }
  report["link_rtt"] = link_rtts(world_, random_);

  std::vector<Duration> access;
  for (size_t i = 0; i < world_.supernode_count(); ++i) access.push_back(world_.supernode_access(i));
  FloodOptions flood;
  flood.seed = options_.seed + 19;
  flood.links = options_.links;
  flood.degree = options_.flood_degree;
  flood.max_ttl = options_.flood_max_ttl;
  flood.target_success = steady.success_rate();
  const auto rows = run_flooding(flood, access, workload_.flood_sample());
  nlohmann::json flood_json = {{"degree", flood.degree}, {"lookups", workload_.flood_sample().size()}, {"rows", nlohmann::json::array()}};
  for (const FloodRow& row : rows) {
    flood_json["rows"].push_back({{"ttl", row.ttl},
                                  {"success_rate", row.success_rate},
                                  {"messages_per_lookup", row.messages_per_lookup},
                                  {"overlay_bytes_per_lookup", row.overlay_bytes_per_lookup},
                                  {"latency_ms", to_json(row.latency_ms)}});
  }
  if (!rows.empty()) {
    const FloodRow& last = rows.back();
    const double dht = steady.lookups ? report["phases"]["steady"]["messages_per_lookup"].get<double>() : 0.0;
    flood_json["equal_success"] = {{"ttl", last.ttl},
                                   {"reached", last.success_rate >= flood.target_success},
                                   {"success_rate", last.success_rate},
                                   {"messages_per_lookup", last.messages_per_lookup},
                                   {"index_messages_per_lookup", dht},
                                   {"message_ratio", dht > 0 ? last.messages_per_lookup / dht : 0.0}};
  }
  report["flooding"] = flood_json;
  report["wall_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  report["peak_rss_mb"] = static_cast<double>(peak_rss_bytes()) / (1024.0 * 1024.0);
  return report;
}

}  // namespace

nlohmann::json run_index_scenario(const IndexScenarioOptions& options, std::ostream& log) {
  Scenario scenario(options, log);
  nlohmann::json report = scenario.run();
  report["config"] = {{"seed", options.seed},
                      {"supernodes", options.supernodes},
                      {"users", options.users},
                      {"replication_k", options.node.replication},
                      {"parallelism_alpha", options.node.parallelism},
                      {"bucket_size", options.node.bucket_size},
                      {"access_median_ms", to_seconds(options.links.access_median) * 1e3},
                      {"access_sigma", options.links.access_sigma},
                      {"core_latency_ms", to_seconds(options.links.core_latency) * 1e3},
                      {"jitter_mean_ms", to_seconds(options.links.jitter_mean) * 1e3},
                      {"loss", options.links.loss},
                      {"steady_s", options.steady_s},
                      {"churn_s", options.churn_s},
                      {"abrupt_failure", options.abrupt_failure},
                      {"supernode_median_uptime_h", options.supernode_median_uptime_h},
                      {"user_median_session_min", options.user_median_session_min},
                      {"lookup_rate", options.lookup_rate},
                      {"probe_rate", options.probe_rate}};
  return report;
}

}  // namespace koe::sim
