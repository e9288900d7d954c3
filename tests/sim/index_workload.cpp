#include "tests/sim/index_workload.hpp"

#include <algorithm>
#include <array>

namespace koe::sim {

namespace {
// A target must have been online this long, so its record is published.
constexpr Duration kTargetSettled = std::chrono::seconds(15);
// Probe searches start at these delays after the user comes online.
constexpr std::array<Duration, 6> kProbeDelays{std::chrono::seconds(1), std::chrono::seconds(2),
                                               std::chrono::seconds(3), std::chrono::seconds(5),
                                               std::chrono::seconds(7), std::chrono::seconds(9)};
constexpr size_t kProbePages = 5;
// Sizes of the client's part of a lookup (index/messages.hpp layouts).
constexpr size_t kLookupRequestBytes = wire::kHeaderSize + 1 + 4 + 8 + kNodeIdSize + 1 + kNodeIdSize + 2;
constexpr size_t kLookupResultBytes = wire::kHeaderSize + 1 + 4 + kNodeIdSize + 8 + 1 + 1;

uint64_t request_key(size_t user, uint32_t request) { return (uint64_t{user} << 32) | request; }
double ms(Duration d) { return static_cast<double>(d.count()) / 1000.0; }
}  // namespace

nlohmann::json PhaseStats::to_json() const {
  const double n = lookups ? static_cast<double>(lookups) : 1.0;
  nlohmann::json j = {
      {"duration_s", static_cast<double>((end - start).count()) / 1e6},
      {"lookups", lookups},
      {"found", found},
      {"success_rate", success_rate()},
      {"current_supernode_rate", found ? static_cast<double>(current) / static_cast<double>(found) : 0.0},
      {"hops", sim::to_json(percentiles(hops))},
      {"latency_ms", sim::to_json(percentiles(latency_ms))},
      {"messages_per_lookup", static_cast<double>(messages) / n},
      {"bytes_per_lookup", static_cast<double>(bytes) / n},
      {"supernode_load_datagrams_per_s", sim::to_json(percentiles(supernode_load))},
      {"name_search",
       {{"probes", probes},
        {"found_within_window", probes_found},
        {"rate", probes ? static_cast<double>(probes_found) / static_cast<double>(probes) : 0.0},
        {"time_to_find_ms", sim::to_json(percentiles(probe_ms))}}},
  };
  j.update(extra);
  return j;
}

IndexWorkload::IndexWorkload(IndexWorld& world, uint64_t seed) : world_(world), random_(seed), queries_(seed + 1) {
  for (size_t i = 0; i < world_.supernode_count(); ++i) supernode_added(i);
}

void IndexWorkload::supernode_added(size_t index) { supernode_by_endpoint_[world_.supernode_endpoint(index)] = index; }

void IndexWorkload::user_started(size_t user) {
  if (online_.contains(user)) return;
  if (online_since_.size() <= user) online_since_.resize(user + 1);
  online_.insert(user);
  online_since_[user] = world_.now();
}

void IndexWorkload::user_stopped(size_t user) {
  if (!online_.contains(user)) return;
  online_.erase(user);
  // Requests of a user who left never finish: they are not counted.
  std::erase_if(lookups_, [&](const auto& item) { return item.second.asker == user; });
  std::erase_if(searches_, [&](const auto& item) { return item.second.asker == user; });
}

std::optional<size_t> IndexWorkload::random_online() { return online_.pick(random_); }

std::optional<size_t> IndexWorkload::supernode_index(const Endpoint& endpoint) const {
  const auto it = supernode_by_endpoint_.find(endpoint);
  if (it == supernode_by_endpoint_.end()) return std::nullopt;
  return it->second;
}

void IndexWorkload::sample_for_flooding(const PhaseStats& phase, size_t limit) {
  flood_phase_ = &phase;
  flood_sample_limit_ = limit;
}

void IndexWorkload::issue_lookup(PhaseStats& phase) {
  const TimePoint now = world_.now();
  const auto asker = random_online();
  std::optional<size_t> target;
  for (int attempt = 0; attempt < 8 && !target; ++attempt) {
    const auto pick = random_online();
    if (pick && pick != asker && now - online_since_[*pick] >= kTargetSettled) target = pick;
  }
  if (!asker || !target) return;
  IndexClient* client = world_.client(*asker);
  const uint32_t request = client->lookup(now, world_.user_id(*target));
  lookups_[request_key(*asker, request)] = PendingLookup{*asker, *target, now, &phase};
  if (flood_phase_ == &phase && flood_sample_.size() < flood_sample_limit_) {
    const auto origin = client->supernode();
    const IndexClient* target_client = world_.client(*target);
    const auto holder = target_client ? target_client->supernode() : std::nullopt;
    if (origin && holder) {
      const auto origin_sn = supernode_index(origin->endpoint);
      const auto holder_sn = supernode_index(holder->endpoint);
      const Duration one_way = world_.user_access(*asker) + world_.config().links.core_latency +
                               world_.config().links.jitter_mean + (origin_sn ? world_.supernode_access(*origin_sn) : Duration{0});
      if (origin_sn && holder_sn) flood_sample_.push_back(FloodLookup{*origin_sn, *holder_sn, 2 * one_way});
    }
  }
  world_.flush_user(*asker);
}

void IndexWorkload::start_probe(size_t user, PhaseStats& phase, Duration window) {
  const size_t index = probes_.size();
  probes_.push_back(Probe{user, queries_.query_for(world_.user_name(user)), world_.now(), window, &phase});
  ++phase.probes;
  for (const Duration delay : kProbeDelays) {
    if (delay >= window) break;
    world_.net().schedule(world_.now() + delay, [this, index](TimePoint) { probe_attempt(index); });
  }
}

void IndexWorkload::probe_attempt(size_t index) {
  Probe& probe = probes_[index];
  if (probe.done || !world_.user_online(probe.target)) return;
  std::optional<size_t> asker;
  for (int attempt = 0; attempt < 8 && !asker; ++attempt) {
    const auto pick = random_online();
    if (pick && *pick != probe.target && world_.client(*pick)->attached()) asker = pick;
  }
  if (!asker) return;
  const uint32_t request = world_.client(*asker)->search_name(world_.now(), probe.query);
  searches_[request_key(*asker, request)] = PendingSearch{index, *asker};
  world_.flush_user(*asker);
}

void IndexWorkload::on_client_event(size_t user, const IndexClientEvent& event) {
  const TimePoint now = world_.now();
  if (const auto* result = std::get_if<LookupResultEvent>(&event)) {
    auto node = lookups_.extract(request_key(user, result->request));
    if (node.empty()) return;
    const PendingLookup& lookup = node.mapped();
    PhaseStats& phase = *lookup.phase;
    ++phase.lookups;
    phase.messages += 2;
    phase.bytes += kLookupRequestBytes + kLookupResultBytes;
    if (result->status != RequestStatus::kFound) return;
    ++phase.found;
    phase.hops.push_back(result->hops);
    phase.latency_ms.push_back(ms(now - lookup.started));
    if (const auto encoded = encode_record(*result->record, Signature{})) phase.bytes += 2 + encoded->size();
    const IndexClient* target = world_.client(lookup.target);
    const auto holder = target ? target->supernode() : std::nullopt;
    const auto& refs = result->record->supernodes;
    if (holder && std::any_of(refs.begin(), refs.end(), [&](const SupernodeRef& r) { return r.endpoint == holder->endpoint; })) {
      ++phase.current;
    }
  } else if (const auto* search = std::get_if<SearchResultEvent>(&event)) {
    auto node = searches_.extract(request_key(user, search->request));
    if (node.empty()) return;
    Probe& probe = probes_[node.mapped().probe];
    if (probe.done) return;
    const koe::NodeId& target = world_.user_id(probe.target);
    const bool hit = std::any_of(search->records.begin(), search->records.end(),
                                 [&](const PresenceRecord& r) { return r.id == target; });
    if (hit && now - probe.online_at <= probe.window) {
      probe.done = true;
      ++probe.phase->probes_found;
      probe.phase->probe_ms.push_back(ms(now - probe.online_at));
    } else if (!hit && search->next && node.mapped().page + 1 < kProbePages) {
      IndexClient* client = world_.client(user);
      const uint32_t request = client->search_name(now, probe.query, *search->next);
      PendingSearch next = node.mapped();
      ++next.page;
      searches_[request_key(user, request)] = next;
      world_.flush_user(user);
    }
  }
}

PhaseStats* IndexWorkload::phase_at(TimePoint t) const {
  for (PhaseStats* phase : phases_) {
    if (t >= phase->start && t < phase->end) return phase;
  }
  return nullptr;
}

void IndexWorkload::on_node_event(size_t, const LookupCompleted& event) {
  if (event.purpose != OperationPurpose::kClientLookup) return;
  if (PhaseStats* phase = phase_at(world_.now() - event.elapsed)) {
    phase->messages += event.messages;
    phase->bytes += event.bytes;
  }
}

void IndexWorkload::snapshot_load() {
  load_snapshot_.assign(world_.supernode_count(), UINT64_MAX);
  for (const size_t i : world_.live_supernodes()) {
    const auto& c = world_.supernode(i)->counters();
    load_snapshot_[i] = c.datagrams_in + c.datagrams_out;
  }
  load_snapshot_at_ = world_.now();
}

void IndexWorkload::record_load(PhaseStats& phase) {
  const double seconds = static_cast<double>((world_.now() - load_snapshot_at_).count()) / 1e6;
  if (seconds <= 0) return;
  for (const size_t i : world_.live_supernodes()) {
    if (i >= load_snapshot_.size() || load_snapshot_[i] == UINT64_MAX) continue;  // joined mid-phase
    const auto& c = world_.supernode(i)->counters();
    phase.supernode_load.push_back(static_cast<double>(c.datagrams_in + c.datagrams_out - load_snapshot_[i]) / seconds);
  }
}

}  // namespace koe::sim
