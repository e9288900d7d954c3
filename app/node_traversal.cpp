// NodeCores' NAT traversal glue: introductions through supernodes, the relay tunnels,
// and what the NAT discovery learnt (net thread).
#include <algorithm>

#include "app/node_cores.hpp"
#include "net/user_id.hpp"

namespace koe {

namespace {

// Supernodes probed for our NAT and ranked as relays: more adds little.
constexpr size_t kMaxTraversalSupernodes = 4;
// Datagrams taken from one tunnel per wake-up, so one busy peer cannot starve the rest.
constexpr size_t kTunnelBatch = 64;

// "koe1abcdefgh…": enough of a user ID to follow one peer through the log.
std::string short_id(const NodeId& id) { return to_user_id(id).substr(0, 12) + "…"; }

}  // namespace

void NodeCores::set_traversal_supernodes(TimePoint now) {
  std::vector<Endpoint> supernodes;
  const auto add = [&](const Endpoint& endpoint) {
    if (supernodes.size() < kMaxTraversalSupernodes &&
        std::find(supernodes.begin(), supernodes.end(), endpoint) == supernodes.end())
      supernodes.push_back(endpoint);
  };
  if (const auto supernode = index_.supernode()) add(supernode->endpoint);
  for (const Endpoint& seed : config_.bootstrap) add(seed);
  for (const auto& entry : host_cache_.entries()) add(entry.endpoint);
  traversal_.set_supernodes(now, std::move(supernodes));
}

void NodeCores::on_introduction_message(TimePoint now, const NodeId& from, const ControlMessage& message) {
  if (const auto* introduction = std::get_if<IntroductionFrom>(&message)) {
    traversal_.on_introduction(now, from, introduction->sealed);
    return;
  }
  const auto* introduce = std::get_if<Introduce>(&message);
  if (!introduce) return;
  // A supernode passes introductions on to the nodes it has a link with, and only those.
  if (!index_.is_supernode() || !peers_.is_up(introduce->target)) {
    traversal_.count_refused_forward();
    log("no link with " + short_id(introduce->target) + ": an introduction from " + short_id(from) + " dropped");
    return;
  }
  if (!traversal_.allow_forward(now, from)) return;
  if (auto bytes = encode_control_message(IntroductionFrom{from, introduce->sealed}))
    peers_.send(now, introduce->target, std::move(*bytes));
}

bool NodeCores::pump_traversal(TimePoint now) {
  bool busy = false;
  for (const auto& out : traversal_.take_outbox()) transport_.send(out.to, out.bytes);
  for (auto& introduce : traversal_.take_introduces()) {
    busy = true;
    log("introduction for " + short_id(introduce.target) + " via supernode " + short_id(introduce.supernode));
    if (introduce.supernode == config_.identity->node_id()) {
      // We are the peer's supernode ourselves: hand it over on our own link.
      on_introduction_message(now, config_.identity->node_id(), Introduce{introduce.target, introduce.sealed});
    } else if (auto bytes = encode_control_message(Introduce{introduce.target, std::move(introduce.sealed)})) {
      peers_.send(now, introduce.supernode, std::move(*bytes));
    }
  }
  for (const auto& connect : traversal_.take_connects()) {
    busy = true;
    const bool spray = traversal_.carried_by_spray_socket(connect.key);
    if (connect.move) {
      log("moving the link with " + short_id(node_id_from_public_key(connect.key)) + " onto the direct path " +
          (spray ? std::string("through the spray socket that punched through") : connect.endpoint.to_string()));
      secure_.move_path(now, connect.key, connect.endpoint);
    } else {
      log("connecting to " + short_id(node_id_from_public_key(connect.key)) + " at " + connect.endpoint.to_string() +
          (spray ? " (tunnel to the spray socket that punched through)"
           : tunnels_.contains(connect.key) ? " (relay tunnel)"
                                            : " (punched)"));
      secure_.connect(now, connect.key, connect.endpoint, /*path_opened=*/true);
    }
  }
  for (const auto& tunnel : traversal_.take_tunnels()) {
    busy = true;
    if (!tunnel.open) {
      tunnels_.erase(tunnel.key);
      continue;
    }
    if (tunnels_.contains(tunnel.key)) continue;
    auto opened = LoopbackTunnel::open(transport_.local_endpoint());
    if (auto* reason = std::get_if<std::string>(&opened)) {
      log(*reason);
      continue;
    }
    auto& created = std::get<std::unique_ptr<LoopbackTunnel>>(opened);
    traversal_.on_tunnel_opened(now, tunnel.key, created->endpoint());
    tunnels_.emplace(tunnel.key, std::move(created));
  }
  for (const auto& spray : traversal_.take_sprays()) {
    busy = true;
    apply_spray(now, spray);
  }
  for (const auto& send : traversal_.take_spray_sends())
    if (const auto it = sprays_.find(send.key); it != sprays_.end()) it->second->send(send.socket, send.to, send.bytes);
  for (const auto& delivery : traversal_.take_deliveries())
    if (const auto it = tunnels_.find(delivery.key); it != tunnels_.end()) it->second->inject(delivery.datagram);
  for (const auto& event : traversal_.take_nat_events()) on_nat_event(now, event);
  for (const NodeId& peer : traversal_.take_lookups()) lookups_[index_.lookup(now, peer)] = peer;
  return busy;
}

void NodeCores::apply_spray(TimePoint now, const TraversalSpray& spray) {
  switch (spray.action) {
    case TraversalSpray::Action::kOpen: {
      sprays_.erase(spray.key);  // the previous attempt's sockets first: descriptors are finite
      auto opened = std::make_unique<SpraySockets>(spray.generation, spray.count);
      if (!opened->error().empty())
        log("birthday punching with " + std::to_string(opened->opened()) + " of " + std::to_string(spray.count) +
            " sockets: " + opened->error());
      const uint32_t count = opened->opened();
      sprays_[spray.key] = std::move(opened);
      traversal_.on_spray_opened(now, spray.key, spray.generation, count);
      break;
    }
    case TraversalSpray::Action::kKeep:
      if (const auto it = sprays_.find(spray.key); it != sprays_.end()) {
        it->second->keep_only(spray.socket);
        log("birthday punching hit: the link with " + short_id(node_id_from_public_key(spray.key)) +
            " goes through spray socket " + std::to_string(spray.socket));
      }
      break;
    case TraversalSpray::Action::kClose:
      sprays_.erase(spray.key);
      break;
  }
}

void NodeCores::on_nat_event(TimePoint now, const NatDiscoveryEvent& event) {
  if (event.kind == NatDiscoveryEvent::Kind::kUdpBlocked) {
    state_.nat = event.reason;
    state_.network = NetworkState::kOffline;
    state_.network_detail = event.reason;
    log(event.reason);
    return;
  }
  const std::string line = describe_nat(event.profile, event.reflexive);
  if (line != state_.nat) log("NAT: " + line);
  state_.nat = line;
  ClientProfile profile = index_.profile();
  if (profile.nat_class == nat_class_of(event.profile)) return;
  profile.nat_class = nat_class_of(event.profile);
  index_.set_profile(now, std::move(profile));  // republishes our record
}

std::vector<int> NodeCores::watched_fds() const {
  std::vector<int> fds;
  for (const auto& [key, tunnel] : tunnels_) fds.push_back(tunnel->fd());
  for (const auto& [key, spray] : sprays_)
    for (const int fd : spray->fds()) fds.push_back(fd);
  return fds;
}

void NodeCores::on_readable(TimePoint now, int fd) {
  for (const auto& [key, tunnel] : tunnels_) {
    if (tunnel->fd() != fd) continue;
    for (const Bytes& datagram : tunnel->drain(kTunnelBatch)) traversal_.send_through_tunnel(key, datagram);
    break;
  }
  for (const auto& [key, spray] : sprays_) {
    const auto socket = spray->socket_of(fd);
    if (!socket) continue;
    for (const auto& [from, datagram] : spray->drain(*socket, kTunnelBatch))
      traversal_.on_spray_datagram(now, key, *socket, from, datagram);
    break;
  }
  pump(now);
}

}  // namespace koe
