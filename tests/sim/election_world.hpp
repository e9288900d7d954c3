// `koe-sim election`'s world: N online nodes with a NAT mix and log-normal churn, each
// running the real Election core; attachment, load and handover are modeled directly (no
// datagrams, no index protocol). One thread; owns every node and the event agenda.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <queue>
#include <vector>

#include "index/election.hpp"
#include "net/random.hpp"

namespace koe::sim {

struct ElectionSimOptions {
  uint64_t seed = 1;
  uint32_t nodes = 100000;           // online at every instant (a departing node is replaced)
  double hours = 8;                  // simulated length
  double settle_hours = 3;           // the steady-state window starts here
  double sample_minutes = 10;        // time-series step of the report
  double public_fraction = 0.2;      // public address or endpoint-independent mapping and filtering
  double symmetric_fraction = 0.15;  // of all nodes; the rest are port-restricted cone NATs
  double consent_never = 0.1;        // users who switched volunteering off
  double consent_always = 0.0;       // users who asked to always serve
  double upstream_median_kbps = 2000;
  double upstream_sigma = 1.0;
  double session_median_h = 3;  // log-normal session lengths
  double session_sigma = 1.2;
  double abrupt_fraction = 0.2;   // departures without a goodbye (crash, cable pulled)
  double report_interval_s = 60;  // how often a node hears its known supernodes' loads
  uint32_t known_supernodes = 8;  // loads a node hears about (its own supernode first)
  uint32_t attach_choices = 3;    // a client tries the least loaded of this many
  double rtt_median_ms = 60;      // log-normal round-trip times
  double rtt_sigma = 0.6;
  double keepalive_s = 1;  // a supernode is declared dead after 2 missed keep-alives
  // From shrink_at_h on, a departing node is replaced only while more than shrink_to of
  // `nodes` are online: the network shrinks at the churn's pace (evening into night).
  double shrink_at_h = 0;
  double shrink_to = 1.0;
  ElectionConfig election;
};

class ElectionWorld {
 public:
  explicit ElectionWorld(const ElectionSimOptions& options);
  // Runs to the end; progress lines to `progress`; returns the JSON report.
  nlohmann::json run(std::ostream& progress);

 private:
  enum class Kind : uint8_t { kLeave, kReport, kElectionTimer, kAttachDone, kDetect, kSample };
  struct Event {
    TimePoint at;
    uint64_t seq;
    Kind kind;
    uint32_t node;
    uint32_t generation;
    uint32_t target = 0;  // kAttachDone: the supernode
    uint32_t target_generation = 0;
    bool operator>(const Event& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  struct Node {
    uint32_t generation = 0;
    bool online = true;  // false: a slot whose user left and was not replaced (shrinking)
    std::unique_ptr<Election> election;
    bool capable = false;    // reachable from outside, with a public or endpoint-independent address
    bool symmetric = false;  // behind a symmetric NAT (reported only)
    // As a client.
    int64_t supernode = -1;  // attached to
    uint32_t slot = 0;       // position in that supernode's client list
    TimePoint attach_started = kNever;
    TimePoint orphan_since = kNever;  // lost its supernode, not yet reattached
    TimePoint detected_at = kNever;
    bool attaching = false;
    // As a supernode.
    bool listed = false;     // accepting clients
    uint32_t list_slot = 0;  // position in supernodes_
    std::vector<uint32_t> clients;
    uint32_t capable_clients = 0;
    TimePoint timer_at = kNever;
    TimePoint last_change = kNever;
  };

  void push(TimePoint at, Kind kind, uint32_t node, uint32_t target = 0);
  void spawn(uint32_t id, TimePoint now, Duration age, Duration remaining);
  void leave(uint32_t id, TimePoint now);
  // The user at `id` is gone and nobody takes the slot: its pending events lapse.
  void retire(uint32_t id);
  bool replaces_departures(TimePoint now) const;
  void feed_reports(uint32_t id, TimePoint now);
  void drain_events(uint32_t id, TimePoint now);
  void schedule_timer(uint32_t id);
  void start_attach(uint32_t id, TimePoint now);
  void finish_attach(const Event& e);
  void detach(uint32_t client, TimePoint now);
  void drop_clients(uint32_t id, TimePoint now, bool abrupt);
  void list_supernode(uint32_t id);
  void unlist_supernode(uint32_t id);
  void note_role_change(uint32_t id, TimePoint now);
  void sample(TimePoint now);
  SupernodeLoad load_of(uint32_t id) const;
  Duration rtt();
  Duration session();
  double unit();
  bool steady(TimePoint now) const;
  nlohmann::json summary() const;

  ElectionSimOptions options_;
  SeededRandom random_;
  std::vector<Node> nodes_;
  uint32_t online_ = 0;
  std::vector<uint32_t> supernodes_;  // listed (accepting) supernodes
  std::priority_queue<Event, std::vector<Event>, std::greater<>> agenda_;
  uint64_t seq_ = 0;
  std::vector<SupernodeLoad> scratch_;
  // Measurements.
  nlohmann::json series_ = nlohmann::json::array();
  // Before the steady window (settling) and in it.
  std::vector<double> attach_ms_, orphan_s_, after_detect_s_;
  std::vector<double> steady_attach_ms_, steady_orphan_s_, steady_after_detect_s_;
  double orphan_seconds_ = 0, steady_orphan_seconds_ = 0;
  uint64_t promotions_ = 0, demotions_ = 0, steady_changes_ = 0, departures_ = 0, abrupt_departures_ = 0;
  uint64_t steady_supernode_departures_ = 0;
  uint64_t changes_within_day_ = 0, interval_changes_ = 0;
  double last_orphan_seconds_ = 0;
  double steady_supernode_hours_ = 0;
};

}  // namespace koe::sim
