// The `koe-sim index` scenario: builds a Global Index of real IndexNode and
// IndexClient cores on the simulated network, measures ID lookups and name
// searches in a steady phase and (optionally) a churn phase with session-length
// churn and an abrupt loss of supernodes, replays the steady lookups under the
// Lookup-Hit flooding model, and reports everything as JSON.
// Runs on the calling thread; owns everything it builds.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "index/index_config.hpp"
#include "tests/sim/index_world.hpp"

namespace koe::sim {

struct IndexScenarioOptions {
  uint64_t seed = 1;
  size_t supernodes = 1000;
  size_t users = 100000;        // online at once
  double spare_users = 0.1;     // extra offline users (churn returns, name probes), as a fraction
  LinkModel links;
  IndexNodeConfig node;         // replication (k), parallelism (alpha), bucket size, ...
  double join_s = 30;           // supernodes join over this long
  double ramp_s = 120;          // users come online over this long
  double settle_s = 30;
  double steady_s = 300;        // measured without churn
  double churn_s = 300;         // measured with churn; 0 skips the phase
  double abrupt_failure = 0.2;  // fraction of supernodes that fail at once in the churn phase
  double abrupt_at_s = 30;      // seconds into the churn phase
  double supernode_median_uptime_h = 5.5;  // log-normal session lengths (Skype's supernodes)
  double supernode_uptime_sigma = 1.2;
  double user_median_session_min = 60;
  double user_session_sigma = 1.0;
  double lookup_rate = 50;      // lookups per second
  double probe_rate = 1;        // name-search probes per second
  double probe_window_s = 10;
  size_t flood_lookups = 200;   // steady lookups replayed under flooding
  size_t flood_degree = 8;
  unsigned flood_max_ttl = 8;
};

// Runs the scenario; progress lines go to `log`.
nlohmann::json run_index_scenario(const IndexScenarioOptions& options, std::ostream& log);

}  // namespace koe::sim
