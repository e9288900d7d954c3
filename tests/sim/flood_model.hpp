// The Lookup-Hit flooding model (the groupware approach the Global Index
// replaced), for comparison: supernodes in a random graph forward each query to
// all their neighbours up to a hop limit (TTL), dropping duplicates; the
// supernode an ordinary node is attached to answers the origin directly, and an
// origin without an answer floods once more. It runs
// on its own simulated network with the same supernode access latencies and core
// link as the index run. Simulation thread only.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "tests/sim/index_world.hpp"
#include "tests/sim/sim_stats.hpp"

namespace koe::sim {

// One lookup of the index workload, as flooding would serve it.
struct FloodLookup {
  size_t origin = 0;      // the asker's supernode
  size_t holder = 0;      // the target's supernode
  Duration client_rtt{0};  // asker to its supernode and back, added to the latency
};

struct FloodOptions {
  uint64_t seed = 1;
  LinkModel links;
  size_t degree = 8;       // average neighbours per supernode
  unsigned max_ttl = 8;
  Duration timeout = std::chrono::seconds(10);
  // Without a hit by then the origin floods once more with a fresh query ID (as the
  // index client resends a lookup), so a lost hit is not a failed lookup.
  Duration retry_after = std::chrono::seconds(2);
  Duration spacing = std::chrono::milliseconds(100);  // between lookup starts
  double target_success = 1.0;  // stop raising the TTL once this success rate is reached
};

struct FloodRow {
  unsigned ttl = 0;
  size_t lookups = 0;
  double success_rate = 0;
  double messages_per_lookup = 0;  // queries forwarded and hits, plus the client's two
  double overlay_bytes_per_lookup = 0;  // between supernodes only
  Percentiles latency_ms;
};

// Replays `lookups` with TTL 1, 2, ... until target_success or max_ttl.
std::vector<FloodRow> run_flooding(const FloodOptions& options, std::span<const Duration> supernode_access,
                                   std::span<const FloodLookup> lookups);

}  // namespace koe::sim
