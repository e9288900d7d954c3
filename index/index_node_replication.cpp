// IndexNode: replica stores, repair after membership changes, and upkeep
// (bootstrap and join, neighbour liveness, bucket refresh, expiry).
#include <algorithm>
#include <bit>

#include "index/index_node.hpp"

namespace koe {

namespace {
// Bounds on bookkeeping an attacker could try to inflate.
constexpr size_t kMaxPendingChanges = 256;
constexpr size_t kMaxAwaitingPerEndpoint = 64;
constexpr size_t kMaxAwaitingEndpoints = 1024;

// Keys whose replica sets bound the neighbourhood: the ones farthest from us.
constexpr size_t kOuterKeys = 16;

bool contains_id(const std::vector<NodeId>& ids, const NodeId& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// Bits needed to write `distance` (IDs whose distance fits in n bits share every
// higher bit).
size_t bit_length(const NodeId& distance) {
  for (size_t i = 0; i < kNodeIdSize; ++i) {
    if (distance.bytes[i] != 0) return (kNodeIdSize - i) * 8 - static_cast<size_t>(std::countl_zero(distance.bytes[i]));
  }
  return 0;
}

Duration jitter(Random& random, Duration span) {
  return Duration{static_cast<int64_t>(random.uniform(static_cast<uint64_t>(std::max<int64_t>(span.count(), 1))))};
}
}  // namespace

StoreStatus IndexNode::store_verified(TimePoint now, ByteView encoded) {
  const auto decoded = decode_record(encoded);
  if (!decoded) return StoreStatus::kInvalid;
  const PresenceRecord& record = decoded->record;
  const uint64_t unix = unix_now(now);
  if (record.expires_at <= unix) return StoreStatus::kInvalid;
  const TimePoint expires = now + std::chrono::seconds(record.expires_at - unix);
  const StoreStatus status = records_.put(record.id, record.sequence, encoded, expires, now);
  if (status == StoreStatus::kStored) ++counters_.replica_stores;
  return status;
}

void IndexNode::send_store(TimePoint now, const Contact& to, RequestBody body, uint64_t token) {
  if (token == 0) token = known_token(now, to.id);
  if (token != 0) {
    send_request(now, to, std::move(body), RpcPurpose::kStore, 0, token);
    return;
  }
  // A store needs the holder's token for us: ask for one with a ping, keep the store.
  auto it = awaiting_token_.find(to.endpoint);
  if (it == awaiting_token_.end()) {
    if (awaiting_token_.size() >= kMaxAwaitingEndpoints) return;
    it = awaiting_token_.emplace(to.endpoint, std::vector<AwaitingStore>{}).first;
    send_request(now, to, PingRequest{}, RpcPurpose::kPing);
  }
  if (it->second.size() < kMaxAwaitingPerEndpoint) it->second.push_back(AwaitingStore{to, std::move(body)});
}

void IndexNode::flush_awaiting(TimePoint now, const Endpoint& issuer, uint64_t token) {
  auto node = awaiting_token_.extract(issuer);
  if (node.empty()) return;
  for (AwaitingStore& store : node.mapped()) {
    send_request(now, store.to, std::move(store.body), RpcPurpose::kStore, 0, token);
  }
}

void IndexNode::observe(TimePoint now, const Contact& contact) {
  if (routing_.observe(contact, now) == RoutingTable::Observed::kAdded) note_membership_change(now, contact.id, true);
}

void IndexNode::learn(TimePoint now, std::span<const Contact> contacts) {
  for (const Contact& c : contacts) {
    if (routing_.learn(c, now) == RoutingTable::Observed::kAdded) note_membership_change(now, c.id, true);
  }
}

void IndexNode::on_contact_failed(TimePoint now, const NodeId& id) {
  if (routing_.record_failure(id)) note_membership_change(now, id, false);
}

void IndexNode::update_neighbourhood() {
  // For a key K we hold, every replica and every node that could become one is
  // closer to K than K's k-th closest node, so within bit_length(d(K, k-th)) bits
  // of K and therefore of us (we are one of them).
  std::vector<NodeId> outer;
  records_.for_each([&](const NodeId& key, const StoredRecord&) { outer.push_back(xor_distance(key, self_)); });
  keywords_.for_each([&](const NodeId& key, const auto&) { outer.push_back(xor_distance(key, self_)); });
  if (outer.size() > kOuterKeys) {
    std::nth_element(outer.begin(), outer.begin() + kOuterKeys, outer.end(), std::greater<>{});
    outer.resize(kOuterKeys);
  }
  outer.push_back(NodeId{});  // ourselves: whoever joins next to us will share keys with us
  size_t bits = 0;
  for (const NodeId& distance : outer) {
    const NodeId key = xor_distance(distance, self_);
    const auto set = routing_.closest(key, config_.replication);
    bits = std::max(bits, set.empty() ? 0 : bit_length(xor_distance(set.back().id, key)));
  }
  neighbourhood_bits_ = bits;
}

bool IndexNode::in_neighbourhood(const NodeId& id) const {
  return bit_length(xor_distance(id, self_)) <= neighbourhood_bits_;
}

void IndexNode::note_membership_change(TimePoint now, const NodeId& id, bool added) {
  // Only changes near us can change who else holds the keys we hold.
  if (!in_neighbourhood(id)) return;
  std::vector<NodeId>& changes = added ? added_ : removed_;
  if (changes.size() < kMaxPendingChanges) changes.push_back(id);
  if (repair_due_ == kNever) repair_due_ = now + config_.repair_delay;
}

void IndexNode::repair(TimePoint now) {
  repair_due_ = kNever;
  const auto added = std::exchange(added_, {});
  const auto removed = std::exchange(removed_, {});
  // The holders a key gained through the changes, if we are its closest holder
  // (one pusher per key instead of k). If we were not the closest before, the one
  // who was is gone and may have left earlier changes unrepaired: push to all.
  auto new_holders = [&](const NodeId& key) {
    std::vector<Contact> fresh;
    const auto holders = replica_targets(key, routing_.closest(key, config_.replication));
    if (holders.front().id != self_) return fresh;
    auto before = routing_.closest(key, config_.replication + added.size());
    std::erase_if(before, [&](const Contact& c) { return contains_id(added, c.id); });
    for (const NodeId& id : removed) before.push_back(Contact{id, Endpoint{}});
    before = replica_targets(key, std::move(before));
    const bool was_primary = before.front().id == self_;
    for (const Contact& c : holders) {
      const bool held_before = std::any_of(before.begin(), before.end(), [&](const Contact& b) { return b.id == c.id; });
      if (c.id != self_ && !(was_primary && held_before)) fresh.push_back(c);
    }
    return fresh;
  };
  records_.for_each([&](const NodeId& id, const StoredRecord& record) {
    if (record.expires <= now) return;
    for (const Contact& to : new_holders(id)) queue_repair(now, to, StoreRecordRequest{record.encoded});
  });
  keywords_.for_each([&](const NodeId& key, const std::vector<KeywordEntry>& entries) {
    for (const Contact& to : new_holders(key)) queue_keyword_batches(now, key, entries, to);
  });
}

void IndexNode::queue_keyword_batches(TimePoint now, const NodeId& key, const std::vector<KeywordEntry>& entries,
                                      const Contact& to) {
  StoreKeywordRequest batch{key, {}};
  for (const KeywordEntry& e : entries) {
    if (e.expires_at <= unix_now(now)) continue;
    batch.entries.push_back(e);
    if (batch.entries.size() == kMaxKeywordStoreEntries) queue_repair(now, to, std::exchange(batch, {key, {}}));
  }
  if (!batch.entries.empty()) queue_repair(now, to, std::move(batch));
}

void IndexNode::queue_repair(TimePoint now, const Contact& to, RequestBody body) {
  if (repair_queue_.size() >= config_.max_repair_queue) return;
  ++counters_.repairs_sent;
  repair_queue_.push_back(AwaitingStore{to, std::move(body)});
  if (next_repair_send_ == kNever) next_repair_send_ = now;
}

void IndexNode::send_repairs(TimePoint now) {
  // Ticks of 50 ms, each sending its share of repair_per_second.
  constexpr Duration kTick = std::chrono::milliseconds(50);
  const size_t per_tick = std::max<size_t>(config_.repair_per_second / 20, 1);
  for (size_t i = 0; i < per_tick && !repair_queue_.empty(); ++i) {
    AwaitingStore push = std::move(repair_queue_.front());
    repair_queue_.pop_front();
    send_store(now, push.to, std::move(push.body));
  }
  next_repair_send_ = repair_queue_.empty() ? kNever : now + kTick;
}

void IndexNode::ping_neighbours(TimePoint now) {
  next_neighbour_ping_ = now + config_.neighbour_ping_interval;
  update_neighbourhood();
  for (const Contact& c : routing_.closest(self_, 8 * config_.replication)) {
    if (!in_neighbourhood(c.id)) break;  // closest first: the rest are farther still
    // A neighbour we heard from this round is known to be alive.
    const auto seen = routing_.last_seen(c.id);
    if (!seen || now - *seen >= config_.neighbour_ping_interval) send_request(now, c, PingRequest{}, RpcPurpose::kPing);
  }
}

void IndexNode::refresh_buckets(TimePoint now, size_t count, std::optional<uint8_t> first_byte) {
  for (size_t i = 0; i < count; ++i) {
    NodeId target;
    random_.fill(target.bytes);
    if (first_byte) target.bytes[0] = *first_byte;
    const auto to = routing_.closest(target, 1);
    if (!to.empty()) send_request(now, to.front(), FindNodeRequest{target}, RpcPurpose::kRefresh);
  }
}

void IndexNode::sweep_expired(TimePoint now) {
  next_sweep_ = now + config_.expiry_sweep_interval;
  records_.expire(now);
  keywords_.expire(unix_now(now));
  std::vector<Endpoint> silent;
  for (const auto& [endpoint, client] : clients_) {
    if (now - client.last_seen > config_.client_timeout) silent.push_back(endpoint);
  }
  for (const Endpoint& endpoint : silent) forget_client(endpoint);
}

void IndexNode::bootstrap(TimePoint now, std::span<const Endpoint> seeds) {
  tokens_.on_timer(now);
  seeds_.assign(seeds.begin(), seeds.end());
  // Spread periodic work so supernodes started together do not act in lockstep.
  next_neighbour_ping_ = now + jitter(random_, config_.neighbour_ping_interval);
  next_load_ping_ = now + jitter(random_, config_.load_ping_interval);
  next_refresh_ = now + config_.bucket_refresh_interval + jitter(random_, config_.bucket_refresh_interval);
  next_sweep_ = now + jitter(random_, config_.expiry_sweep_interval);
  joined_ = seeds_.empty();  // the first supernode has nobody to join
  send_bootstrap(now);
}

void IndexNode::send_bootstrap(TimePoint now) {
  if (routing_.size() > 0 || seeds_.empty()) {
    bootstrap_due_ = kNever;
    return;
  }
  for (const Endpoint& seed : seeds_) {
    send_request(now, Contact{NodeId{}, seed}, FindNodeRequest{self_}, RpcPurpose::kBootstrap);
  }
  bootstrap_due_ = now + config_.bootstrap_retry;
}

void IndexNode::start_join(TimePoint now) {
  joined_ = true;
  const uint32_t op_id = create_operation(now, OperationPurpose::kJoin, QueryKind::kFindNode, self_);
  if (op_id != 0) pump(now, op_id);
}

}  // namespace koe
