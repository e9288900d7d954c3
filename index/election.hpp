// Supernode election: one node's sans-IO decision to promote itself to supernode or to
// demote, from measured facts and the load reports of the supernodes it knows. Net thread
// (or the simulator's thread); `now` is passed in; borrows the Random, which must outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "index/supernode_load.hpp"
#include "net/clock.hpp"
#include "net/env.hpp"

namespace koe {

enum class ElectionRole : uint8_t { kClient, kSupernode };

// The user's consent (`--supernode auto|always|never` and the app's volunteer switch).
enum class ElectionConsent : uint8_t {
  kAuto,      // volunteer when measured eligible and the network needs more supernodes
  kAlways,    // volunteer whenever reachable from outside, whatever the load
  kDisabled,  // "never": never serve; a supernode with this consent hands its clients over and demotes
};

// Facts the node measured about itself; none of them is taken from the user's word.
struct ElectionFacts {
  bool reachable_confirmed = false;    // another node connected back to our advertised endpoint unprompted
  bool public_or_independent = false;  // public address, or endpoint-independent mapping and filtering
  TimePoint online_since{};            // uptime = now - online_since
  double upstream_kbps = 0;            // measured upstream bandwidth
  double cpu_headroom = 0;             // idle fraction of one core, 0..1
};

// What a volunteer gives at most (the app's caps); 0 means "no cap".
struct VolunteerCaps {
  double max_upstream_kbps = 0;
  double max_cpu_fraction = 0;
};

struct ElectionConfig {
  // Eligibility thresholds.
  Duration min_uptime = std::chrono::hours(4);  // long sessions so far predict long sessions ahead
  double min_upstream_kbps = 1000;
  double min_cpu_headroom = 0.5;
  // Capacity a supernode offers, from its (capped) upstream and a per-client budget.
  uint32_t max_clients = 200;
  uint32_t max_relay_sessions = 20;
  double kbps_per_client = 2;          // keep-alives, index traffic and searches of one client
  double kbps_per_relay_session = 64;  // one relayed Opus call, both directions' share
  // Hysteresis on the utilisation of the known supernodes (used / capacity).
  double high_water = 0.75;
  double low_water = 0.35;
  double target = 0.55;      // corrections aim here, between the two marks
  double saturation = 0.95;  // at or above this, the uptime threshold is waived
  // Only this fraction of the computed correction acts at once: reports lag the changes.
  double damping = 0.5;
  // A decision waits a random delay in [0, max_reaction_delay) and is then re-checked.
  Duration max_reaction_delay = std::chrono::minutes(5);
  // Minimum time in a role: at most one voluntary change per node per this period.
  Duration min_role_time = std::chrono::hours(24);
  // A demoting supernode hands its clients over; it demotes anyway after this.
  Duration handover_timeout = std::chrono::seconds(3);
  // With no supernode known for this long, a reachable node bootstraps the network.
  Duration bootstrap_wait = std::chrono::seconds(10);
};

enum class ElectionAction : uint8_t {
  kPromote,        // become a supernode now
  kStartHandover,  // stop accepting clients and hand the attached ones to other supernodes
  kDemote,         // handover done (or timed out): become a client now
};

enum class ElectionReason : uint8_t {
  kLoadHigh,       // known supernodes above the high-water mark
  kLoadLow,        // known supernodes below the low-water mark
  kBootstrap,      // no supernode known: the first node of a network serves it
  kConsentAlways,  // the user asked to always serve
  kConsentNever,   // the user withdrew consent
  kNotEligible,    // a measured fact no longer holds (reachability, bandwidth, CPU)
  kHandoverDone,   // all clients handed over, or the handover timed out
};

struct ElectionEvent {
  ElectionAction action;
  ElectionReason reason;
};

class Election {
 public:
  // `role`: the role the node starts in; a supernode's start counts as its last change.
  Election(const ElectionConfig& config, Random& random, ElectionConsent consent, ElectionRole role, TimePoint now);

  // Inputs.
  void set_facts(TimePoint now, const ElectionFacts& facts);
  void set_caps(TimePoint now, const VolunteerCaps& caps);
  void set_consent(TimePoint now, ElectionConsent consent);
  // The latest loads of the supernodes this node knows (its own first if it is one);
  // replaces the previous view.
  void on_load_reports(TimePoint now, std::span<const SupernodeLoad> known);
  // A draining supernode says how many clients it still serves.
  void on_handover_progress(TimePoint now, uint32_t clients_left);
  void on_timer(TimePoint now);
  TimePoint next_timeout() const;

  // Outputs, in order; the driver applies them and then calls pop.
  std::optional<ElectionEvent> poll_event();

  ElectionRole role() const { return role_; }
  bool draining() const { return draining_; }
  // Measured facts, caps and consent allow serving (load aside): a supernode stays while
  // able_to_serve; a client must also have been online min_uptime to promote on load.
  bool able_to_serve() const;
  bool eligible(TimePoint now) const;
  // What this node offers as a supernode, from its facts and caps.
  SupernodeLoad capacity() const;

 private:
  struct View {
    size_t supernodes = 0;
    double utilisation = 0;  // max over clients, relays and bandwidth of sum(used) / sum(capacity)
    uint64_t eligible_clients = 0;
  };
  bool reachable() const;
  bool may_change_role(TimePoint now) const;
  bool may_promote_on_load(TimePoint now) const;
  bool bootstrap_due(TimePoint now) const;
  void reconsider(TimePoint now);
  void arm(TimePoint now);
  void decide(TimePoint now);
  void promote(ElectionReason reason, TimePoint now);
  void begin_handover(TimePoint now, ElectionReason reason);
  void finish_demotion(TimePoint now);
  void emit(ElectionAction action, ElectionReason reason);
  double unit();

  ElectionConfig config_;
  Random& random_;
  ElectionConsent consent_;
  ElectionRole role_;
  std::optional<TimePoint> last_change_;  // none yet: the first promotion need not wait
  ElectionFacts facts_;
  VolunteerCaps caps_;
  View view_;
  TimePoint last_supernode_seen_;
  bool draining_ = false;
  TimePoint handover_deadline_ = kNever;
  TimePoint decision_at_ = kNever;  // a pending randomised re-check
  std::vector<ElectionEvent> events_;
  size_t events_read_ = 0;
};

}  // namespace koe
