// RateLimiter: a token bucket per source IPv4 address for handshake messages,
// in a table of bounded size (least recently seen source evicted first).
// Sans-IO (`now` passed in); owned and called by the net thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <unordered_map>

#include "net/clock.hpp"

namespace koe {

struct RateLimiterConfig {
  uint32_t per_second = 20;   // sustained messages per second per source
  uint32_t burst = 5;         // messages a quiet source may send at once
  size_t max_sources = 4096;  // table bound: memory stays O(max_sources)
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimiterConfig config = {});

  // True if a message from `source_ip` may be processed now (and spends a token).
  bool allow(TimePoint now, uint32_t source_ip);

  size_t tracked_sources() const { return index_.size(); }

 private:
  // Tokens are kept in microseconds of credit: a message costs cost_, the bucket
  // holds capacity_, and credit accrues one unit per elapsed microsecond.
  struct Bucket {
    uint32_t ip;
    TimePoint last;
    int64_t credit;
  };

  RateLimiterConfig config_;
  int64_t cost_;
  int64_t capacity_;
  std::list<Bucket> lru_;  // most recently seen first
  std::unordered_map<uint32_t, std::list<Bucket>::iterator> index_;
};

}  // namespace koe
