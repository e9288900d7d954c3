#include "index/election.hpp"

#include <algorithm>

namespace koe {

namespace {

// A cap of 0 means the volunteer set none.
double capped(double measured, double cap) { return cap > 0 ? std::min(measured, cap) : measured; }

// max over the three resources of sum(used) / sum(capacity); a resource nobody offers is skipped.
double utilisation(std::span<const SupernodeLoad> known) {
  double clients = 0, client_cap = 0, relays = 0, relay_cap = 0, kbps = 0, kbps_cap = 0;
  for (const SupernodeLoad& s : known) {
    clients += s.clients;
    client_cap += s.client_capacity;
    relays += s.relay_sessions;
    relay_cap += s.relay_capacity;
    kbps += s.upstream_kbps;
    kbps_cap += s.upstream_capacity_kbps;
  }
  double u = 0;
  if (client_cap > 0) u = std::max(u, clients / client_cap);
  if (relay_cap > 0) u = std::max(u, relays / relay_cap);
  if (kbps_cap > 0) u = std::max(u, kbps / kbps_cap);
  return u;
}

}  // namespace

Election::Election(const ElectionConfig& config, Random& random, ElectionConsent consent, ElectionRole role,
                   TimePoint now)
    : config_(config),
      random_(random),
      consent_(consent),
      role_(role),
      // Starting as a supernode (a new network's first node, or asked to) counts as a
      // role change: it may not demote on low load within min_role_time.
      last_change_(role == ElectionRole::kSupernode ? std::optional<TimePoint>(now) : std::nullopt),
      last_supernode_seen_(now) {}

void Election::set_facts(TimePoint now, const ElectionFacts& facts) {
  facts_ = facts;
  reconsider(now);
}

void Election::set_caps(TimePoint now, const VolunteerCaps& caps) {
  caps_ = caps;
  reconsider(now);
}

void Election::set_consent(TimePoint now, ElectionConsent consent) {
  consent_ = consent;
  reconsider(now);
}

void Election::on_load_reports(TimePoint now, std::span<const SupernodeLoad> known) {
  view_.supernodes = known.size();
  view_.utilisation = utilisation(known);
  view_.eligible_clients = 0;
  for (const SupernodeLoad& s : known) view_.eligible_clients += s.eligible_clients;
  if (!known.empty()) last_supernode_seen_ = now;
  reconsider(now);
}

void Election::on_handover_progress(TimePoint now, uint32_t clients_left) {
  if (draining_ && clients_left == 0) finish_demotion(now);
}

void Election::on_timer(TimePoint now) {
  if (draining_ && now >= handover_deadline_) finish_demotion(now);
  if (now >= decision_at_) {
    decision_at_ = kNever;
    decide(now);
  }
}

TimePoint Election::next_timeout() const { return std::min(decision_at_, handover_deadline_); }

std::optional<ElectionEvent> Election::poll_event() {
  if (events_read_ == events_.size()) {
    events_.clear();
    events_read_ = 0;
    return std::nullopt;
  }
  return events_[events_read_++];
}

bool Election::reachable() const {
  return consent_ != ElectionConsent::kDisabled && facts_.reachable_confirmed && facts_.public_or_independent;
}

bool Election::able_to_serve() const {
  if (!reachable()) return false;
  if (consent_ == ElectionConsent::kAlways) return true;
  return capped(facts_.upstream_kbps, caps_.max_upstream_kbps) >= config_.min_upstream_kbps &&
         capped(facts_.cpu_headroom, caps_.max_cpu_fraction) >= config_.min_cpu_headroom;
}

bool Election::eligible(TimePoint now) const {
  const bool old_enough = consent_ == ElectionConsent::kAlways || now - facts_.online_since >= config_.min_uptime;
  return able_to_serve() && old_enough;
}

SupernodeLoad Election::capacity() const {
  // Half the given upstream for clients, half for relayed calls.
  const double kbps = capped(facts_.upstream_kbps, caps_.max_upstream_kbps);
  SupernodeLoad c;
  c.client_capacity = static_cast<uint32_t>(std::min<double>(config_.max_clients, kbps / 2 / config_.kbps_per_client));
  c.relay_capacity =
      static_cast<uint32_t>(std::min<double>(config_.max_relay_sessions, kbps / 2 / config_.kbps_per_relay_session));
  c.upstream_capacity_kbps = kbps;
  return c;
}

// The uptime threshold is waived when the known supernodes are saturated: a young
// network (or one that lost many supernodes) must not wait hours for old-enough nodes.
bool Election::may_promote_on_load(TimePoint now) const {
  return eligible(now) || (able_to_serve() && view_.utilisation >= config_.saturation);
}

bool Election::may_change_role(TimePoint now) const {
  return !last_change_ || now >= *last_change_ + config_.min_role_time;
}

bool Election::bootstrap_due(TimePoint now) const {
  return view_.supernodes == 0 && now >= last_supernode_seen_ + config_.bootstrap_wait;
}

// Re-evaluates after any input: acts at once where the rules say so, otherwise arms
// (or cancels) the randomised re-check.
void Election::reconsider(TimePoint now) {
  if (draining_) return;
  if (role_ == ElectionRole::kSupernode) {
    if (consent_ == ElectionConsent::kDisabled) return begin_handover(now, ElectionReason::kConsentNever);
    if (!able_to_serve()) return begin_handover(now, ElectionReason::kNotEligible);
    const bool low =
        consent_ == ElectionConsent::kAuto && view_.supernodes > 0 && view_.utilisation < config_.low_water;
    if (low && may_change_role(now)) return arm(now);
    decision_at_ = kNever;
    return;
  }
  if (!able_to_serve() || !may_change_role(now)) {
    decision_at_ = kNever;
    return;
  }
  if (consent_ == ElectionConsent::kAlways) return promote(ElectionReason::kConsentAlways, now);
  if (view_.supernodes == 0) {
    // Wait for bootstrap_wait without news of any supernode, then a random delay.
    if (decision_at_ == kNever) {
      const auto spread = static_cast<uint64_t>(config_.bootstrap_wait.count());
      decision_at_ = std::max(now, last_supernode_seen_ + config_.bootstrap_wait) +
                     Duration{static_cast<int64_t>(spread > 0 ? random_.uniform(spread) : 0)};
    }
    return;
  }
  if (may_promote_on_load(now) && view_.utilisation > config_.high_water) return arm(now);
  decision_at_ = kNever;
}

void Election::arm(TimePoint now) {
  if (decision_at_ != kNever) return;  // one pending re-check at a time
  const auto spread = static_cast<uint64_t>(config_.max_reaction_delay.count());
  decision_at_ = now + Duration{static_cast<int64_t>(spread > 0 ? random_.uniform(spread) : 0)};
}

// The randomised re-check: the condition must still hold on the latest reports, and then
// only a share of the nodes acts, sized so that on average the network corrects `damping`
// of the gap to the target at once (reports lag, so correcting it all would overshoot).
void Election::decide(TimePoint now) {
  const double u = view_.utilisation;
  const double s = static_cast<double>(view_.supernodes);
  if (role_ == ElectionRole::kClient) {
    if (!able_to_serve() || !may_change_role(now)) return;
    if (bootstrap_due(now)) return promote(ElectionReason::kBootstrap, now);
    if (view_.supernodes == 0) return reconsider(now);
    if (!may_promote_on_load(now) || u <= config_.high_water) return reconsider(now);
    // Supernodes missing around us, shared among the eligible clients they serve.
    const double missing = s * (u / config_.target - 1);
    const double candidates = std::max<double>(1, static_cast<double>(view_.eligible_clients));
    if (unit() < config_.damping * missing / candidates) return promote(ElectionReason::kLoadHigh, now);
  } else {
    if (draining_ || consent_ != ElectionConsent::kAuto || !may_change_role(now)) return;
    if (view_.supernodes == 0 || u >= config_.low_water) return reconsider(now);
    // The share of supernodes in excess around us.
    if (unit() < config_.damping * (1 - u / config_.target)) return begin_handover(now, ElectionReason::kLoadLow);
  }
  reconsider(now);  // not chosen this time: draw again after another random delay
}

void Election::promote(ElectionReason reason, TimePoint now) {
  role_ = ElectionRole::kSupernode;
  last_change_ = now;
  decision_at_ = kNever;
  emit(ElectionAction::kPromote, reason);
}

void Election::begin_handover(TimePoint now, ElectionReason reason) {
  draining_ = true;
  decision_at_ = kNever;
  handover_deadline_ = now + config_.handover_timeout;
  emit(ElectionAction::kStartHandover, reason);
}

void Election::finish_demotion(TimePoint now) {
  role_ = ElectionRole::kClient;
  draining_ = false;
  handover_deadline_ = kNever;
  last_change_ = now;
  emit(ElectionAction::kDemote, ElectionReason::kHandoverDone);
}

void Election::emit(ElectionAction action, ElectionReason reason) { events_.push_back({action, reason}); }

double Election::unit() { return static_cast<double>(random_.next_u64() >> 11) * 0x1.0p-53; }

}  // namespace koe
