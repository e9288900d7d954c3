// UpstreamMeter: measures this node's upstream bandwidth for the supernode election.
// Now and then it sends a train of full-size packets back to back to a supernode; the
// uplink spaces them out, and the supernode's report of how far apart they arrived
// gives the rate (packet-train dispersion, as pathrate and Skype's probes do).
// Sans-IO (`now` passed in); net thread only; borrows the Random, which must outlive it.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include "net/env.hpp"
#include "net/upstream_probe.hpp"

namespace koe {

struct UpstreamMeterConfig {
  uint8_t train_length = 24;  // 28.8 kB: about 0.23 s of a 1 Mbit/s uplink
  // A new target is first measured this long after it is known (NAT discovery and the
  // attach go first).
  Duration first_delay = std::chrono::seconds(5);
  // The first `warmup_trains` results come `warmup_spacing` apart, then one every `interval`:
  // about 16 B/s on average once warmed up.
  size_t warmup_trains = 3;
  Duration warmup_spacing = std::chrono::seconds(20);
  Duration interval = std::chrono::minutes(30);
  Duration report_timeout = std::chrono::seconds(3);
  Duration retry = std::chrono::seconds(60);  // after a train nobody answered
  // The estimate is the best of the last `keep` results: cross traffic, a busy receiver
  // and scheduling only ever stretch a train, never compress it.
  size_t keep = 3;
};

struct UpstreamMeterCounters {
  uint64_t trains_sent = 0;
  uint64_t reports = 0;
  uint64_t unanswered = 0;
  uint64_t ignored = 0;  // malformed, from another endpoint, or for no train of ours
};

class UpstreamMeter {
 public:
  explicit UpstreamMeter(Random& random, UpstreamMeterConfig config = {});

  // Where trains go (a supernode); none: no measurement until there is one. Results
  // survive a change of target: they describe our uplink.
  void set_target(TimePoint now, std::optional<Endpoint> target);
  // While paused (a call is on, and a train would queue ahead of its voice) a due
  // train waits.
  void set_paused(bool paused) { paused_ = paused; }

  // kUpstreamReport packets.
  void on_datagram(TimePoint now, const Endpoint& from, ByteView bytes);
  void on_timer(TimePoint now);
  TimePoint next_timeout() const;

  // Best of the recent results, in kbit/s; none until a train was answered.
  std::optional<double> kbps() const;
  // The latest result alone.
  std::optional<double> last_kbps() const;
  const UpstreamMeterCounters& counters() const { return counters_; }
  std::vector<OutDatagram> take_outbox() { return std::exchange(outbox_, {}); }

 private:
  void send_train(TimePoint now);

  Random& random_;
  UpstreamMeterConfig config_;
  std::optional<Endpoint> target_;
  bool paused_ = false;
  TimePoint next_train_ = kNever;
  // The train awaiting its report.
  std::optional<uint64_t> pending_id_;
  Endpoint pending_to_;
  TimePoint pending_deadline_ = kNever;
  size_t results_total_ = 0;
  std::deque<double> results_;  // newest last, at most `keep`
  UpstreamMeterCounters counters_;
  std::vector<OutDatagram> outbox_;
};

}  // namespace koe
