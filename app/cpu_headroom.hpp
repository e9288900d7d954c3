// CpuHeadroom: how much of one core this machine leaves idle, measured from the
// kernel's counters (/proc/stat) between two samples: an input of the supernode
// election. One thread at a time; reads the file on each sample().
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace koe {

// Idle share of the whole machine between two readings of /proc/stat's "cpu" line,
// in cores (idle fraction times the core count), at most 1.
class CpuHeadroom {
 public:
  explicit CpuHeadroom(std::string stat_path = "/proc/stat");
  // nullopt on the first call, or when the file cannot be read or parsed.
  std::optional<double> sample();

 private:
  struct Times {
    uint64_t idle = 0;
    uint64_t total = 0;
  };
  std::optional<Times> read() const;

  std::string path_;
  std::optional<Times> last_;
  unsigned cores_;
};

}  // namespace koe
