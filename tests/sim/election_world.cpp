#include "tests/sim/election_world.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace koe::sim {

namespace {

constexpr uint32_t kRetry = UINT32_MAX;  // kAttachDone without a target: try again
constexpr Duration kRetryDelay = std::chrono::seconds(1);
constexpr Duration kDay = std::chrono::hours(24);

Duration from_seconds(double s) { return Duration{static_cast<int64_t>(s * 1e6)}; }
double to_seconds(Duration d) { return static_cast<double>(d.count()) / 1e6; }

nlohmann::json percentiles(std::vector<double> values) {
  if (values.empty()) return {{"count", 0}};
  std::sort(values.begin(), values.end());
  auto at = [&](double q) { return values[static_cast<size_t>(q * static_cast<double>(values.size() - 1))]; };
  return {{"count", values.size()}, {"p50", at(0.5)}, {"p95", at(0.95)}, {"p99", at(0.99)}, {"max", values.back()}};
}

}  // namespace

ElectionWorld::ElectionWorld(const ElectionSimOptions& options)
    : options_(options), random_(options.seed), nodes_(options.nodes) {}

double ElectionWorld::unit() { return static_cast<double>(random_.next() >> 11) * 0x1.0p-53; }

// Log-normal by Box-Muller.
static double lognormal(double u1, double u2, double median, double sigma) {
  return median *
         std::exp(sigma * std::sqrt(-2.0 * std::log(std::max(u1, 1e-12))) * std::cos(2 * std::numbers::pi * u2));
}

Duration ElectionWorld::rtt() {
  const double u1 = unit(), u2 = unit();
  return from_seconds(std::min(1.0, lognormal(u1, u2, options_.rtt_median_ms / 1000, options_.rtt_sigma)));
}

Duration ElectionWorld::session() {
  const double u1 = unit(), u2 = unit();
  return from_seconds(lognormal(u1, u2, options_.session_median_h * 3600, options_.session_sigma));
}

bool ElectionWorld::steady(TimePoint now) const {
  return now >= TimePoint{} + from_seconds(options_.settle_hours * 3600);
}

void ElectionWorld::push(TimePoint at, Kind kind, uint32_t node, uint32_t target) {
  Event e{at, seq_++, kind, node, nodes_[node].generation, target, 0};
  if (kind == Kind::kAttachDone && target != kRetry) e.target_generation = nodes_[target].generation;
  agenda_.push(e);
}

// A fresh node (a new user) comes online at `now`, already `age` into its session.
void ElectionWorld::spawn(uint32_t id, TimePoint now, Duration age, Duration remaining) {
  Node& n = nodes_[id];
  const uint32_t generation = n.generation + 1;
  n = Node{};
  n.generation = generation;
  const double kind = unit();
  n.capable = kind < options_.public_fraction;
  n.symmetric = !n.capable && kind < options_.public_fraction + options_.symmetric_fraction;
  const double consent = unit();
  const ElectionConsent mode = consent < options_.consent_never                             ? ElectionConsent::kDisabled
                               : consent < options_.consent_never + options_.consent_always ? ElectionConsent::kAlways
                                                                                            : ElectionConsent::kAuto;
  n.capable = n.capable && mode != ElectionConsent::kDisabled;
  ElectionFacts facts;
  // Only public or endpoint-independent hosts pass the unprompted connect-back.
  facts.reachable_confirmed = n.capable;
  facts.public_or_independent = n.capable;
  facts.online_since = now - age;
  const double u1 = unit(), u2 = unit();
  facts.upstream_kbps = lognormal(u1, u2, options_.upstream_median_kbps, options_.upstream_sigma);
  facts.cpu_headroom = 0.2 + 0.8 * unit();
  n.election = std::make_unique<Election>(options_.election, random_, mode, ElectionRole::kClient, now);
  n.election->set_facts(now, facts);
  push(now + remaining, Kind::kLeave, id);
  // Nodes that can never serve need no load reports: the core would ignore them.
  if (n.capable) {
    const auto spread = static_cast<uint64_t>(from_seconds(options_.report_interval_s).count());
    push(now + Duration{static_cast<int64_t>(random_.next() % spread)}, Kind::kReport, id);
  }
  start_attach(id, now);
  drain_events(id, now);
  schedule_timer(id);
}

SupernodeLoad ElectionWorld::load_of(uint32_t id) const {
  const Node& n = nodes_[id];
  SupernodeLoad load = n.election->capacity();
  load.clients = static_cast<uint32_t>(n.clients.size());
  load.upstream_kbps = static_cast<double>(load.clients) * options_.election.kbps_per_client;
  load.eligible_clients = n.capable_clients;
  return load;
}

// The loads a node hears: its own (a supernode) or its supernode's, then random others.
void ElectionWorld::feed_reports(uint32_t id, TimePoint now) {
  Node& n = nodes_[id];
  scratch_.clear();
  if (n.election->role() == ElectionRole::kSupernode) {
    scratch_.push_back(load_of(id));
  } else if (n.supernode >= 0) {
    scratch_.push_back(load_of(static_cast<uint32_t>(n.supernode)));
  }
  const size_t want = std::min<size_t>(options_.known_supernodes, supernodes_.size());
  for (size_t tries = 0; scratch_.size() < want && tries < 2 * want; ++tries) {
    const uint32_t s = supernodes_[random_.next() % supernodes_.size()];
    if (s != id && static_cast<int64_t>(s) != n.supernode) scratch_.push_back(load_of(s));
  }
  n.election->on_load_reports(now, scratch_);
}

void ElectionWorld::schedule_timer(uint32_t id) {
  Node& n = nodes_[id];
  const TimePoint t = n.election->next_timeout();
  if (t != n.timer_at && t != kNever) push(t, Kind::kElectionTimer, id);
  n.timer_at = t;
}

void ElectionWorld::note_role_change(uint32_t id, TimePoint now) {
  Node& n = nodes_[id];
  if (n.last_change != kNever && now - n.last_change < kDay) ++changes_within_day_;
  n.last_change = now;
  ++interval_changes_;
  if (steady(now)) ++steady_changes_;
}

void ElectionWorld::drain_events(uint32_t id, TimePoint now) {
  while (auto event = nodes_[id].election->poll_event()) {
    Node& n = nodes_[id];
    switch (event->action) {
      case ElectionAction::kPromote:
        ++promotions_;
        note_role_change(id, now);
        if (n.supernode >= 0) detach(id, now);
        n.attaching = false;
        n.attach_started = n.orphan_since = n.detected_at = kNever;
        list_supernode(id);
        break;
      case ElectionAction::kStartHandover:
        unlist_supernode(id);
        for (uint32_t c : n.clients) start_attach(c, now);
        if (n.clients.empty()) n.election->on_handover_progress(now, 0);
        break;
      case ElectionAction::kDemote:
        ++demotions_;
        note_role_change(id, now);
        drop_clients(id, now, false);  // those the handover did not move in time
        start_attach(id, now);
        break;
    }
  }
}

void ElectionWorld::list_supernode(uint32_t id) {
  nodes_[id].listed = true;
  nodes_[id].list_slot = static_cast<uint32_t>(supernodes_.size());
  supernodes_.push_back(id);
}

void ElectionWorld::unlist_supernode(uint32_t id) {
  Node& n = nodes_[id];
  if (!n.listed) return;
  const uint32_t last = supernodes_.back();
  supernodes_[n.list_slot] = last;
  nodes_[last].list_slot = n.list_slot;
  supernodes_.pop_back();
  n.listed = false;
}

void ElectionWorld::detach(uint32_t client, TimePoint now) {
  Node& c = nodes_[client];
  const auto sid = static_cast<uint32_t>(c.supernode);
  Node& s = nodes_[sid];
  const uint32_t last = s.clients.back();
  s.clients[c.slot] = last;
  nodes_[last].slot = c.slot;
  s.clients.pop_back();
  if (c.capable) --s.capable_clients;
  c.supernode = -1;
  if (s.election->draining() && s.clients.empty()) {
    s.election->on_handover_progress(now, 0);
    drain_events(sid, now);
    schedule_timer(sid);
  }
}

// The supernode is gone (left, or demoted before the handover finished): its clients
// are orphans until they reattach; after an abrupt death they first have to notice.
void ElectionWorld::drop_clients(uint32_t id, TimePoint now, bool abrupt) {
  Node& s = nodes_[id];
  for (uint32_t cid : s.clients) {
    Node& c = nodes_[cid];
    c.supernode = -1;
    c.orphan_since = now;
    if (c.attaching) continue;
    if (abrupt) {
      const double keepalive = options_.keepalive_s;
      push(now + from_seconds(2 * keepalive + keepalive * unit()), Kind::kDetect, cid);
    } else {
      start_attach(cid, now);
    }
  }
  s.clients.clear();
  s.capable_clients = 0;
}

// The least loaded supernode with room among a few random ones, then a handshake and an
// attach request (two round trips).
void ElectionWorld::start_attach(uint32_t id, TimePoint now) {
  Node& n = nodes_[id];
  n.attaching = true;
  if (n.attach_started == kNever) n.attach_started = now;
  // Full ones refuse at once (one cheap round trip the model does not charge), so a
  // client keeps looking through its host cache until it has `attach_choices` with room.
  int64_t best = -1;
  uint32_t with_room = 0;
  for (uint32_t i = 0; with_room < options_.attach_choices && i < 8 * options_.attach_choices && !supernodes_.empty();
       ++i) {
    const uint32_t s = supernodes_[random_.next() % supernodes_.size()];
    if (s == id || static_cast<int64_t>(s) == n.supernode) continue;
    const SupernodeLoad load = load_of(s);
    if (load.clients >= load.client_capacity) continue;
    ++with_room;
    if (best < 0 || load.clients < nodes_[static_cast<size_t>(best)].clients.size()) best = s;
  }
  if (best < 0) return push(now + kRetryDelay, Kind::kAttachDone, id, kRetry);
  push(now + rtt() + rtt(), Kind::kAttachDone, id, static_cast<uint32_t>(best));
}

void ElectionWorld::finish_attach(const Event& e) {
  Node& n = nodes_[e.node];
  if (!n.attaching || n.election->role() == ElectionRole::kSupernode) return;
  if (e.target == kRetry) return start_attach(e.node, e.at);
  const Node& s = nodes_[e.target];
  if (s.generation != e.target_generation || !s.listed || s.clients.size() >= load_of(e.target).client_capacity) {
    return start_attach(e.node, e.at);
  }
  if (n.supernode >= 0) detach(e.node, e.at);  // a handover: leave the old one only now
  Node& t = nodes_[e.target];
  n.supernode = e.target;
  n.slot = static_cast<uint32_t>(t.clients.size());
  t.clients.push_back(e.node);
  if (n.capable) ++t.capable_clients;
  n.attaching = false;
  const bool in_steady = steady(e.at);
  (in_steady ? steady_attach_ms_ : attach_ms_).push_back(to_seconds(e.at - n.attach_started) * 1000);
  n.attach_started = kNever;
  if (n.orphan_since != kNever) {
    const double orphaned = to_seconds(e.at - n.orphan_since);
    (in_steady ? steady_orphan_s_ : orphan_s_).push_back(orphaned);
    orphan_seconds_ += orphaned;
    if (in_steady) steady_orphan_seconds_ += orphaned;
    if (n.detected_at != kNever) {
      (in_steady ? steady_after_detect_s_ : after_detect_s_).push_back(to_seconds(e.at - n.detected_at));
    }
  }
  n.orphan_since = n.detected_at = kNever;
}

void ElectionWorld::leave(uint32_t id, TimePoint now) {
  Node& n = nodes_[id];
  ++departures_;
  if (n.election->role() == ElectionRole::kSupernode) {
    // A clean shutdown hands the clients over in its goodbye; a crash leaves them to notice.
    const bool abrupt = unit() < options_.abrupt_fraction;
    if (abrupt) ++abrupt_departures_;
    if (steady(now)) ++steady_supernode_departures_;
    unlist_supernode(id);
    drop_clients(id, now, abrupt);
  } else if (n.supernode >= 0) {
    detach(id, now);
  }
  if (!replaces_departures(now)) return retire(id);
  spawn(id, now, Duration{0}, session());
}

bool ElectionWorld::replaces_departures(TimePoint now) const {
  if (options_.shrink_to >= 1.0 || now < TimePoint{} + from_seconds(options_.shrink_at_h * 3600)) return true;
  return online_ <= static_cast<uint32_t>(options_.shrink_to * static_cast<double>(options_.nodes));
}

void ElectionWorld::retire(uint32_t id) {
  Node& n = nodes_[id];
  ++n.generation;
  n.online = false;
  n.election.reset();
  --online_;
}

void ElectionWorld::sample(TimePoint now) {
  uint64_t supernodes = 0, clients = 0, max_clients = 0, unattached = 0;
  for (const Node& n : nodes_) {
    if (!n.online) continue;
    if (n.election->role() == ElectionRole::kSupernode) {
      ++supernodes;
      clients += n.clients.size();
      max_clients = std::max<uint64_t>(max_clients, n.clients.size());
    } else if (n.supernode < 0) {
      ++unattached;
    }
  }
  const double interval_h = options_.sample_minutes / 60;
  const double mean = supernodes ? static_cast<double>(clients) / static_cast<double>(supernodes) : 0;
  const double hours = to_seconds(now - TimePoint{}) / 3600;
  series_.push_back({{"t_h", hours},
                     {"online", online_},
                     {"supernodes", supernodes},
                     {"ratio", static_cast<double>(supernodes) / static_cast<double>(online_)},
                     {"clients_per_supernode", {{"mean", mean}, {"max", max_clients}}},
                     {"busiest_over_mean", mean > 0 ? static_cast<double>(max_clients) / mean : 0.0},
                     {"unattached_clients", unattached},
                     {"orphan_seconds", orphan_seconds_ - last_orphan_seconds_},
                     {"role_changes_per_hour", static_cast<double>(interval_changes_) / interval_h},
                     {"steady", steady(now)}});
  last_orphan_seconds_ = orphan_seconds_;
  interval_changes_ = 0;
  if (steady(now)) steady_supernode_hours_ += static_cast<double>(supernodes) * interval_h;
}

nlohmann::json ElectionWorld::run(std::ostream& progress) {
  const TimePoint start{};
  const double sigma = options_.session_sigma;
  online_ = options_.nodes;
  for (uint32_t id = 0; id < options_.nodes; ++id) {
    // Start in the churn's stationary state: sessions seen at an instant are length-biased
    // (log-normal with the median times e^sigma^2), and we are uniformly far into each.
    const double u1 = unit(), u2 = unit();
    const double length = lognormal(u1, u2, options_.session_median_h * 3600 * std::exp(sigma * sigma), sigma);
    const double age = length * unit();
    spawn(id, start, from_seconds(age), from_seconds(length - age));
  }
  const Duration step = from_seconds(options_.sample_minutes * 60);
  const TimePoint end = start + from_seconds(options_.hours * 3600);
  agenda_.push(Event{start + step, seq_++, Kind::kSample, 0, 0});
  while (!agenda_.empty() && agenda_.top().at <= end) {
    const Event e = agenda_.top();
    agenda_.pop();
    if (e.kind == Kind::kSample) {
      sample(e.at);
      const auto& row = series_.back();
      progress << "koe-sim election: t=" << row["t_h"].get<double>() << " h online " << row["online"] << " supernodes "
               << row["supernodes"]
               << " ratio " << row["ratio"].get<double>() << " busiest/mean " << row["busiest_over_mean"].get<double>()
               << " unattached " << row["unattached_clients"] << '\n';
      agenda_.push(Event{e.at + step, seq_++, Kind::kSample, 0, 0});
      continue;
    }
    if (nodes_[e.node].generation != e.generation) continue;  // for a node that has left since
    switch (e.kind) {
      case Kind::kLeave:
        leave(e.node, e.at);
        continue;
      case Kind::kReport:
        feed_reports(e.node, e.at);
        push(e.at + from_seconds(options_.report_interval_s), Kind::kReport, e.node);
        break;
      case Kind::kElectionTimer:
        if (nodes_[e.node].timer_at != e.at) continue;
        nodes_[e.node].timer_at = kNever;
        feed_reports(e.node, e.at);  // decide on fresh loads: ask the known supernodes first
        nodes_[e.node].election->on_timer(e.at);
        break;
      case Kind::kAttachDone:
        finish_attach(e);
        continue;
      case Kind::kDetect:
        nodes_[e.node].detected_at = e.at;
        if (!nodes_[e.node].attaching) start_attach(e.node, e.at);
        continue;
      case Kind::kSample:
        break;
    }
    drain_events(e.node, e.at);
    schedule_timer(e.node);
  }
  return summary();
}

nlohmann::json ElectionWorld::summary() const {
  double ratio_min = 1, ratio_max = 0, ratio_sum = 0, busiest_max = 0, mean_sum = 0;
  size_t samples = 0;
  for (const auto& row : series_) {
    if (!row["steady"].get<bool>()) continue;
    const double ratio = row["ratio"].get<double>();
    ratio_min = std::min(ratio_min, ratio);
    ratio_max = std::max(ratio_max, ratio);
    ratio_sum += ratio;
    busiest_max = std::max(busiest_max, row["busiest_over_mean"].get<double>());
    mean_sum += row["clients_per_supernode"]["mean"].get<double>();
    ++samples;
  }
  const double steady_hours = options_.hours - options_.settle_hours;
  const double supernode_days = steady_supernode_hours_ / 24;
  auto per_supernode_day = [&](double count) { return supernode_days > 0 ? count / supernode_days : 0; };
  const double changes = static_cast<double>(steady_changes_);
  const double departed = static_cast<double>(steady_supernode_departures_);
  nlohmann::json steady_json = {
      {"from_h", options_.settle_hours},
      {"samples", samples},
      {"ratio",
       {{"min", samples ? ratio_min : 0},
        {"max", ratio_max},
        {"mean", samples ? ratio_sum / static_cast<double>(samples) : 0}}},
      {"clients_per_supernode_mean", samples ? mean_sum / static_cast<double>(samples) : 0},
      {"busiest_over_mean_max", busiest_max},
      {"role_changes_per_hour", steady_hours > 0 ? static_cast<double>(steady_changes_) / steady_hours : 0},
      {"role_changes_per_supernode_day", per_supernode_day(changes)},
      {"supernode_departures_per_supernode_day", per_supernode_day(departed)},
      // Changes beyond the promotions that replace departed supernodes (churn, not election).
      {"elective_role_changes_per_supernode_day", per_supernode_day(std::max(0.0, changes - departed))},
      {"attach_latency_ms", percentiles(steady_attach_ms_)},
      {"orphaned_s", percentiles(steady_orphan_s_)},
      {"orphaned_after_detection_s", percentiles(steady_after_detect_s_)},
      {"orphan_seconds", steady_orphan_seconds_}};
  return {{"seed", options_.seed},
          {"nodes", options_.nodes},
          {"shrink", {{"at_h", options_.shrink_at_h}, {"to", options_.shrink_to}}},
          {"hours", options_.hours},
          {"model", "election cores real; attachment, load and handover modeled directly (no index protocol)"},
          {"steady", steady_json},
          {"settling",
           {{"attach_latency_ms", percentiles(attach_ms_)},
            {"orphaned_s", percentiles(orphan_s_)},
            {"orphaned_after_detection_s", percentiles(after_detect_s_)}}},
          {"orphan_seconds_total", orphan_seconds_},
          {"promotions", promotions_},
          {"demotions", demotions_},
          {"node_changes_within_a_day", changes_within_day_},
          {"departures", departures_},
          {"abrupt_supernode_departures", abrupt_departures_},
          {"series", series_}};
}

}  // namespace koe::sim
