// UpstreamProbeServer: the receiving side of upstream bandwidth probes. It times the
// packets of each train as they arrive and answers the sender with one report when
// the train is complete or has gone quiet. Per-source rate limits and a bounded table
// of open trains keep a flood cheap. Sans-IO (`now` passed in); net thread only.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "net/env.hpp"
#include "net/rate_limiter.hpp"
#include "net/upstream_probe.hpp"

namespace koe {

struct UpstreamProbeServerConfig {
  // New trains per source IP: one every few seconds is plenty for a measurement that
  // runs every half hour; the packets of an open train are not rate limited.
  RateLimiterConfig trains_per_source{.per_second = 1, .burst = 3, .max_sources = 4096};
  size_t max_open_trains = 64;
  // A train still incomplete this long after its first packet is reported as it is.
  Duration train_timeout = std::chrono::milliseconds(500);
};

struct UpstreamProbeServerCounters {
  uint64_t reports_sent = 0;
  uint64_t malformed = 0;
  uint64_t rate_limited = 0;
  uint64_t table_full = 0;
  uint64_t too_short = 0;  // trains of which fewer than two packets arrived
};

class UpstreamProbeServer {
 public:
  explicit UpstreamProbeServer(UpstreamProbeServerConfig config = {});
  UpstreamProbeServer(const UpstreamProbeServer&) = delete;  // its rate limiter cannot be copied
  UpstreamProbeServer& operator=(const UpstreamProbeServer&) = delete;

  // kUpstreamTrain packets.
  void on_datagram(TimePoint now, const Endpoint& from, ByteView bytes);
  void on_timer(TimePoint now);
  TimePoint next_timeout() const;

  std::vector<OutDatagram> take_outbox() { return std::exchange(outbox_, {}); }
  const UpstreamProbeServerCounters& counters() const { return counters_; }
  size_t open_trains() const { return trains_.size(); }

 private:
  struct Train {
    Endpoint from;
    uint64_t id = 0;
    uint8_t count = 0;
    uint8_t received = 0;
    TimePoint first_arrival;
    TimePoint last_arrival;
    uint64_t seen[4] = {};  // bitmap of indexes, so a duplicate counts once
  };
  void report(const Train& train);

  UpstreamProbeServerConfig config_;
  RateLimiter per_source_;
  std::vector<Train> trains_;  // at most max_open_trains: a flat list is fastest
  std::vector<OutDatagram> outbox_;
  UpstreamProbeServerCounters counters_;
};

}  // namespace koe
