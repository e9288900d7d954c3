#include "app/cpu_headroom.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

namespace koe {

CpuHeadroom::CpuHeadroom(std::string stat_path)
    : path_(std::move(stat_path)), cores_(std::max(1u, std::thread::hardware_concurrency())) {}

std::optional<CpuHeadroom::Times> CpuHeadroom::read() const {
  std::ifstream in(path_);
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  std::istringstream fields(line);
  std::string label;
  fields >> label;
  if (label != "cpu") return std::nullopt;
  // user nice system idle iowait irq softirq steal: idle and iowait are headroom.
  Times times;
  uint64_t value = 0;
  for (int i = 0; i < 8 && fields >> value; ++i) {
    times.total += value;
    if (i == 3 || i == 4) times.idle += value;
  }
  if (times.total == 0) return std::nullopt;
  return times;
}

std::optional<double> CpuHeadroom::sample() {
  const std::optional<Times> now = read();
  const std::optional<Times> before = std::exchange(last_, now);
  if (!now || !before || now->total <= before->total || now->idle < before->idle) return std::nullopt;
  const double idle_share = static_cast<double>(now->idle - before->idle) / static_cast<double>(now->total - before->total);
  return std::min(1.0, idle_share * cores_);
}

}  // namespace koe
