// IndexNode: what other supernodes' pings say about their load (net thread). Every
// Pong carries the responder's SupernodeLoad; a supernode pings a few others around
// a random ID every load_ping_interval (and its neighbours for liveness anyway), so
// its election sees the load of a sample of the overlay, not its own alone.

#include "index/index_node.hpp"

namespace koe {

void IndexNode::ping_for_loads(TimePoint now) {
  next_load_ping_ = now + config_.load_ping_interval;
  std::erase_if(peer_loads_, [&](const auto& entry) { return now - entry.second.heard > config_.load_max_age; });
  NodeId around;
  random_.fill(around.bytes);
  for (const Contact& c : routing_.closest(around, config_.load_peers)) send_request(now, c, PingRequest{}, RpcPurpose::kPing);
}

void IndexNode::note_peer_load(TimePoint now, const NodeId& id, const SupernodeLoad& load) {
  peer_loads_[id] = PeerLoad{load, now};
}

std::vector<SupernodeLoad> IndexNode::peer_loads(TimePoint now) const {
  std::vector<SupernodeLoad> out;
  for (const auto& [id, peer] : peer_loads_)
    if (now - peer.heard <= config_.load_max_age && routing_.last_seen(id)) out.push_back(peer.load);
  return out;
}

}  // namespace koe
