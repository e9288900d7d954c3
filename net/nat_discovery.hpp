// NatDiscovery: a node's view of its own NAT. Probes two or more supernodes for its
// reflexive endpoint, classifies the mapping (and, through a partner supernode, the
// filtering), keeps the mapping alive with sparse keepalive probes, and reports
// "UDP blocked" when no supernode ever answers. Sans-IO (`now` passed in); net thread
// only; owns its probe state; outputs collected with take_outbox()/take_events().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "net/env.hpp"
#include "net/nat_types.hpp"

namespace koe {

struct NatDiscoveryConfig {
  // Supernodes to probe, on at least two IP addresses to classify the mapping. The
  // first also gets the filtering test and the keepalives.
  std::vector<Endpoint> servers;
  // The node's own interface endpoints: a reflexive endpoint equal to one means no NAT.
  std::vector<Endpoint> local_addresses;
  Duration retransmit = std::chrono::milliseconds(250);  // between sends to a silent server
  uint32_t max_sends = 6;                                // per server and run
  // The filtering test waits this long after its first redirect for the partner's probe.
  Duration filter_wait = std::chrono::milliseconds(1500);
  uint32_t filter_sends = 3;
  // Why 25 s: mappings must be refreshed before the shortest common UDP timeout, the
  // 30 s Linux conntrack (and many home routers) give a flow; RFC 4787 asks for at
  // least 2 minutes, but real NATs go lower. Any more often would only cost battery.
  Duration keepalive_interval = std::chrono::seconds(25);
  Duration blocked_retry = std::chrono::seconds(30);  // re-run after "UDP blocked"
  int16_t max_sequential_step = 16;                   // a larger stride counts as random
};

enum class NatDiscoveryState : uint8_t { kIdle, kProbing, kReady, kUdpBlocked };

struct NatDiscoveryEvent {
  enum class Kind : uint8_t {
    kClassified,  // a run finished with at least one answer (also after a change)
    kUdpBlocked,  // a run finished without any answer; `reason` says it in one line
  };
  Kind kind = Kind::kClassified;
  NatProfile profile;
  std::optional<Endpoint> reflexive;
  std::string reason;
};

class NatDiscovery {
 public:
  NatDiscovery(Random& random, NatDiscoveryConfig config);

  // Starts (or restarts) a discovery run.
  void start(TimePoint now);
  // Probe answers (kProbeResponse); returns false for a datagram that is not an
  // answer to one of our open probes (the caller may hand it to another core).
  bool on_datagram(TimePoint now, const Endpoint& from, ByteView bytes);
  void on_timer(TimePoint now);
  TimePoint next_timeout() const;

  NatDiscoveryState state() const { return state_; }
  const NatProfile& profile() const { return profile_; }
  // The endpoint the first answering server saw (what peers should be told).
  std::optional<Endpoint> reflexive() const { return reflexive_; }
  // The candidates to offer a peer: our LAN addresses, then the reflexive endpoint.
  std::vector<Candidate> candidates() const;
  // One line for the user; empty unless state() is kUdpBlocked.
  const std::string& blocked_reason() const { return blocked_reason_; }

  std::vector<OutDatagram> take_outbox() { return std::exchange(outbox_, {}); }
  std::vector<NatDiscoveryEvent> take_events() { return std::exchange(events_, {}); }

 private:
  struct Probe {
    Endpoint server;
    uint64_t nonce = 0;
    uint32_t sends = 0;
    TimePoint next_send = kNever;
    std::optional<Endpoint> reflexive;
    bool silent = false;  // every send went unanswered for one more interval
  };
  struct FilterTest {
    uint64_t nonce = 0;
    uint32_t sends = 0;
    TimePoint next_send = kNever;
    TimePoint deadline = kNever;
    std::optional<NatFiltering> result;
    bool acknowledged = false;  // the supernode confirmed it asked a partner
  };

  void send_due(TimePoint now);
  bool run_finished(TimePoint now) const;
  void finish_run(TimePoint now);
  void start_keepalive(TimePoint now);
  void on_filter_answer(const Endpoint& from);
  NatProfile classify() const;
  bool sent_to_ip(uint32_t ip) const;

  Random& random_;
  NatDiscoveryConfig config_;
  NatDiscoveryState state_ = NatDiscoveryState::kIdle;
  NatProfile profile_;
  std::optional<Endpoint> reflexive_;
  Endpoint primary_;  // the server whose view reflexive_ is; keepalives go there
  std::string blocked_reason_;
  std::vector<Probe> probes_;     // this run's probes, in send order
  FilterTest filter_;
  std::optional<Probe> keepalive_;
  TimePoint next_run_ = kNever;   // keepalive or blocked retry
  std::vector<OutDatagram> outbox_;
  std::vector<NatDiscoveryEvent> events_;
};

}  // namespace koe
