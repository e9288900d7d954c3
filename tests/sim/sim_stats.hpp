// Summary statistics for simulator reports: percentiles of a sample and the
// process's peak resident memory. Pure functions (peak_rss_bytes reads /proc);
// any thread.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace koe::sim {

struct Percentiles {
  size_t count = 0;
  double mean = 0;
  double p50 = 0;
  double p95 = 0;
  double p99 = 0;
  double max = 0;
};

// Nearest-rank percentiles; all zero for an empty sample. Sorts `values`.
Percentiles percentiles(std::vector<double> values);
nlohmann::json to_json(const Percentiles& p);

// VmHWM of this process (0 if /proc is unreadable).
uint64_t peak_rss_bytes();

}  // namespace koe::sim
