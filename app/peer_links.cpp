#include "app/peer_links.hpp"

#include <algorithm>

namespace koe {

std::string_view to_string(PeerFailure failure) {
  switch (failure) {
    case PeerFailure::kOffline:
      return "offline";
    case PeerFailure::kUnreachable:
      return "unreachable";
    case PeerFailure::kQueueFull:
      return "queue_full";
  }
  return "unknown";
}

bool PeerLinks::is_up(const NodeId& peer) const {
  const auto it = known_.find(peer);
  return it != known_.end() && it->second.up;
}

std::optional<PublicKey> PeerLinks::key_of(const NodeId& peer) const {
  const auto it = known_.find(peer);
  if (it == known_.end()) return std::nullopt;
  return it->second.key;
}

void PeerLinks::send(TimePoint now, const NodeId& peer, Bytes payload) {
  if (const auto it = known_.find(peer); it != known_.end() && it->second.up) {
    sends_.push_back({it->second.key, std::move(payload)});
    return;
  }
  auto found = pending_.find(peer);
  if (found == pending_.end()) {
    if (pending_.size() >= config_.max_pending_peers) {
      give_ups_.push_back({peer, PeerFailure::kQueueFull, 1});
      return;
    }
    found = pending_.emplace(peer, Pending{}).first;
    start_finding(now, peer, found->second);
  }
  Pending& pending = found->second;
  if (pending.queue.size() >= config_.max_queued_per_peer) {
    give_ups_.push_back({peer, PeerFailure::kQueueFull, 1});
    return;
  }
  pending.queue.push_back(std::move(payload));
}

void PeerLinks::reach(TimePoint now, const NodeId& peer) {
  if (is_up(peer) || pending_.contains(peer) || pending_.size() >= config_.max_pending_peers) return;
  start_finding(now, peer, pending_.emplace(peer, Pending{}).first->second);
}

void PeerLinks::start_finding(TimePoint now, const NodeId& peer, Pending& pending) {
  pending.give_up_at = now + config_.give_up_after;
  const auto it = known_.find(peer);
  if (it != known_.end() && !it->second.endpoints.empty()) return connect_next(now, peer, pending);
  pending.looking_up = true;
  lookups_.push_back(peer);
}

void PeerLinks::connect_next(TimePoint now, const NodeId& peer, Pending& pending) {
  const Known& known = known_.at(peer);
  if (known.endpoints.empty()) return;
  const Endpoint& endpoint = known.endpoints[pending.endpoint_index % known.endpoints.size()];
  ++pending.endpoint_index;
  connects_.push_back({known.key, endpoint});
  pending.next_endpoint_at = now + config_.endpoint_timeout;
}

void PeerLinks::on_record(TimePoint now, const PresenceRecord& record) {
  Known& known = known_[record.id];
  known.key = record.public_key;
  known.endpoints.clear();
  // LAN endpoints first: two nodes behind one NAT reach each other without hairpinning.
  for (const auto kind : {EndpointKind::kLan, EndpointKind::kReflexive})
    for (const auto& endpoint : record.endpoints)
      if (endpoint.kind == kind && std::find(known.endpoints.begin(), known.endpoints.end(), endpoint.endpoint) ==
                                       known.endpoints.end())
        known.endpoints.push_back(endpoint.endpoint);
  const auto it = pending_.find(record.id);
  if (it == pending_.end() || !it->second.looking_up) return;
  it->second.looking_up = false;
  if (known.endpoints.empty()) return give_up(record.id, PeerFailure::kUnreachable);
  connect_next(now, record.id, it->second);
}

void PeerLinks::learn(const PublicKey& key, const Endpoint& endpoint) {
  Known& known = known_[node_id_from_public_key(key)];
  known.key = key;
  std::erase(known.endpoints, endpoint);
  known.endpoints.insert(known.endpoints.begin(), endpoint);
}

void PeerLinks::on_lookup_failed(TimePoint, const NodeId& peer, PeerFailure failure) {
  const auto it = pending_.find(peer);
  if (it != pending_.end() && it->second.looking_up) give_up(peer, failure);
}

void PeerLinks::on_link_up(TimePoint, const PublicKey& key, std::optional<Endpoint> endpoint) {
  const NodeId peer = node_id_from_public_key(key);
  Known& known = known_[peer];
  known.key = key;
  known.up = true;
  // Where the session runs is the best endpoint to try next time.
  if (endpoint) {
    std::erase(known.endpoints, *endpoint);
    known.endpoints.insert(known.endpoints.begin(), *endpoint);
  }
  const auto it = pending_.find(peer);
  if (it == pending_.end()) return;
  for (auto& payload : it->second.queue) sends_.push_back({key, std::move(payload)});
  pending_.erase(it);
}

void PeerLinks::on_link_down(const PublicKey& key) {
  const auto it = known_.find(node_id_from_public_key(key));
  if (it != known_.end()) it->second.up = false;
}

void PeerLinks::give_up(const NodeId& peer, PeerFailure failure) {
  const auto it = pending_.find(peer);
  if (it == pending_.end()) return;
  give_ups_.push_back({peer, failure, it->second.queue.size()});
  pending_.erase(it);
}

void PeerLinks::on_timer(TimePoint now) {
  std::vector<NodeId> expired;
  for (auto& [peer, pending] : pending_) {
    if (now >= pending.give_up_at) {
      expired.push_back(peer);
    } else if (!pending.looking_up && now >= pending.next_endpoint_at) {
      connect_next(now, peer, pending);
    }
  }
  for (const auto& peer : expired) {
    const bool was_looking_up = pending_.at(peer).looking_up;
    give_up(peer, was_looking_up ? PeerFailure::kOffline : PeerFailure::kUnreachable);
  }
}

TimePoint PeerLinks::next_timeout() const {
  TimePoint next = kNever;
  for (const auto& [peer, pending] : pending_) {
    next = std::min(next, pending.give_up_at);
    if (!pending.looking_up) next = std::min(next, pending.next_endpoint_at);
  }
  return next;
}

}  // namespace koe
