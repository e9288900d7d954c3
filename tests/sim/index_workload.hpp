// IndexWorkload: what the `koe-sim index` scenario asks of the simulated Global
// Index and what it measures: ID lookups between random online users, name-search
// probes for users who just came online, per-phase statistics, and the lookups
// to replay under the flooding model. Simulation thread only; borrows the world.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/sim/flood_model.hpp"
#include "tests/sim/index_set.hpp"
#include "tests/sim/index_world.hpp"
#include "tests/sim/name_generator.hpp"
#include "tests/sim/sim_stats.hpp"

namespace koe::sim {

// One measurement window.
struct PhaseStats {
  PhaseStats(std::string phase_name, TimePoint from, TimePoint to) : name(std::move(phase_name)), start(from), end(to) {}

  std::string name;
  TimePoint start{};
  TimePoint end{};
  size_t lookups = 0;        // finished (the asker stayed online)
  size_t found = 0;
  size_t current = 0;        // found, and the record names the target's current supernode
  std::vector<double> hops;
  std::vector<double> latency_ms;
  uint64_t messages = 0;     // client request and answer plus the supernode's lookup traffic
  uint64_t bytes = 0;
  size_t probes = 0;
  size_t probes_found = 0;   // within the probe window (10 s)
  std::vector<double> probe_ms;
  std::vector<double> supernode_load;  // datagrams per second, in and out, per supernode
  nlohmann::json extra = nlohmann::json::object();

  double success_rate() const { return lookups ? static_cast<double>(found) / static_cast<double>(lookups) : 0.0; }
  nlohmann::json to_json() const;
};

class IndexWorkload {
 public:
  IndexWorkload(IndexWorld& world, uint64_t seed);

  void supernode_added(size_t index);
  void user_started(size_t user);
  void user_stopped(size_t user);
  size_t online() const { return online_.size(); }
  // A random online user, or none.
  std::optional<size_t> random_online();

  // A random online user looks up another one that has been online a while.
  void issue_lookup(PhaseStats& phase);
  // `user` has just been started: search for it by name at growing delays
  // until found or `window` has passed.
  void start_probe(size_t user, PhaseStats& phase, Duration window);
  // Per-supernode traffic between two calls, as datagrams per second.
  void snapshot_load();
  void record_load(PhaseStats& phase);

  void on_client_event(size_t user, const IndexClientEvent& event);
  void on_node_event(size_t supernode, const LookupCompleted& event);

  // Lookups issued during `phase` are also kept (up to `limit`) to replay under flooding.
  void sample_for_flooding(const PhaseStats& phase, size_t limit);
  const std::vector<FloodLookup>& flood_sample() const { return flood_sample_; }
  // Supernode events are attributed to the phase whose window holds their time.
  void add_phase(PhaseStats& phase) { phases_.push_back(&phase); }

 private:
  struct PendingLookup {
    size_t asker;
    size_t target;
    TimePoint started;
    PhaseStats* phase;
  };
  struct Probe {
    size_t target;
    std::string query;
    TimePoint online_at;
    Duration window;
    PhaseStats* phase;
    bool done = false;
  };
  struct PendingSearch {
    size_t probe;
    size_t asker;
    size_t page = 0;
  };
  void probe_attempt(size_t probe);
  std::optional<size_t> supernode_index(const Endpoint& endpoint) const;
  PhaseStats* phase_at(TimePoint t) const;

  IndexWorld& world_;
  SeededRandom random_;
  NameGenerator queries_;
  IndexSet online_;
  std::vector<TimePoint> online_since_;
  std::unordered_map<uint64_t, PendingLookup> lookups_;   // (user << 32 | request)
  std::vector<Probe> probes_;
  std::unordered_map<uint64_t, PendingSearch> searches_;  // (user << 32 | request)
  std::unordered_map<Endpoint, size_t> supernode_by_endpoint_;
  std::vector<uint64_t> load_snapshot_;
  TimePoint load_snapshot_at_{};
  std::vector<PhaseStats*> phases_;  // for attributing supernode events by time
  std::vector<FloodLookup> flood_sample_;
  const PhaseStats* flood_phase_ = nullptr;
  size_t flood_sample_limit_ = 0;
};

}  // namespace koe::sim
