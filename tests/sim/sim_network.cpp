#include "tests/sim/sim_network.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "tests/sim/sim_socket.hpp"

namespace koe::sim {

namespace {

uint64_t pair_key(NodeId from, NodeId to) { return (uint64_t{from} << 32) | to; }

}  // namespace

SimNetwork::SimNetwork(uint64_t seed) : seed_(seed), random_(seed) {
  links_.push_back(Link{});
  realms_.push_back(Realm{std::nullopt, 0, {}});
}

SimNetwork::~SimNetwork() {
  for (Node& n : nodes_)
    for (auto& [port, socket] : n.sockets) socket->network_ = nullptr;
}

uint64_t SimNetwork::derive_seed(uint64_t stream) const {
  SeededRandom mixer(seed_ ^ (stream * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL));
  return mixer.next();
}

// --- Topology ---------------------------------------------------------------

NodeId SimNetwork::add_node(uint32_t ip, RealmId realm) {
  if (realm >= realms_.size()) throw std::invalid_argument("unknown realm");
  const auto id = static_cast<NodeId>(nodes_.size());
  if (!addresses_.emplace(address_key(realm, ip), id).second)
    throw std::invalid_argument("address already in use in this realm: " +
                                Endpoint{ip, 0}.to_string());
  nodes_.push_back(Node{ip, realm, std::nullopt, {}, 49152, nullptr, 0});
  return id;
}

NodeId SimNetwork::add_host(uint32_t ip, RealmId realm) { return add_node(ip, realm); }

NatHandle SimNetwork::add_nat(const NatConfig& config, RealmId outside) {
  const NodeId id = add_node(config.public_ip, outside);
  const auto inside = static_cast<RealmId>(realms_.size());
  links_.push_back(Link{});
  realms_.push_back(Realm{id, static_cast<uint32_t>(links_.size() - 1), {}});
  nodes_[id].nat = std::make_unique<NatModel>(config, random_);
  nodes_[id].inside = inside;
  return {id, inside};
}

const SimNetwork::Node& SimNetwork::node_at(NodeId id) const {
  if (id >= nodes_.size()) throw std::invalid_argument("unknown node");
  return nodes_[id];
}

const NatModel& SimNetwork::nat(NodeId node) const {
  const Node& n = node_at(node);
  if (!n.nat) throw std::invalid_argument("node is not a NAT");
  return *n.nat;
}

std::unique_ptr<SimSocket> SimNetwork::open_socket(NodeId host, uint16_t port) {
  if (node_at(host).nat) throw std::invalid_argument("cannot bind a socket on a NAT");
  Node& n = nodes_[host];
  auto in_use = [&n](uint16_t p) {
    return std::any_of(n.sockets.begin(), n.sockets.end(),
                       [p](const auto& s) { return s.first == p; });
  };
  if (port == 0) {
    for (int tries = 0; tries < 65536 - 49152 && port == 0; ++tries) {
      const uint16_t candidate = n.next_ephemeral;
      n.next_ephemeral = candidate == 65535 ? 49152 : static_cast<uint16_t>(candidate + 1);
      if (!in_use(candidate)) port = candidate;
    }
    if (port == 0) throw std::invalid_argument("no free ephemeral port");
  } else if (in_use(port)) {
    throw std::invalid_argument("port already bound: " + Endpoint{n.ip, port}.to_string());
  }
  std::unique_ptr<SimSocket> socket(new SimSocket(*this, host, Endpoint{n.ip, port}));
  n.sockets.emplace_back(port, socket.get());
  return socket;
}

void SimNetwork::unbind(NodeId host, uint16_t port) {
  auto& sockets = nodes_[host].sockets;
  std::erase_if(sockets, [port](const auto& s) { return s.first == port; });
}

// --- Links ------------------------------------------------------------------

void SimNetwork::set_realm_link(RealmId realm, const LinkParams& params) {
  if (realm >= realms_.size()) throw std::invalid_argument("unknown realm");
  links_[realms_[realm].default_link] = Link{params, {}};
  realms_[realm].pair_state.clear();
}

void SimNetwork::set_access_link(NodeId node, const LinkParams& params) {
  node_at(node);
  auto& slot = nodes_[node].access_link;
  if (!slot) {
    slot = static_cast<uint32_t>(links_.size());
    links_.emplace_back();
  }
  links_[*slot] = Link{params, {}};
}

void SimNetwork::set_path_link(NodeId from, NodeId to, const LinkParams& params) {
  node_at(from);
  node_at(to);
  auto [it, added] = path_links_.emplace(pair_key(from, to), static_cast<uint32_t>(links_.size()));
  if (added) links_.emplace_back();
  links_[it->second] = Link{params, {}};
}

// --- Time -------------------------------------------------------------------

TimerId SimNetwork::schedule(TimePoint at, std::function<void(TimePoint)> callback) {
  uint32_t slot;
  if (!free_timers_.empty()) {
    slot = free_timers_.back();
    free_timers_.pop_back();
  } else {
    slot = static_cast<uint32_t>(timers_.size());
    timers_.emplace_back();
  }
  Timer& t = timers_[slot];
  t.callback = std::move(callback);
  t.armed = true;
  queue_.push(std::max(at, now_), EventQueue::Kind::kTimer, slot);
  return {slot, t.generation};
}

void SimNetwork::cancel(TimerId id) {
  if (id.slot >= timers_.size()) return;
  Timer& t = timers_[id.slot];
  if (t.generation != id.generation || !t.armed) return;
  t.armed = false;
  t.callback = nullptr;  // the queue entry stays until it comes due, then frees the slot
}

bool SimNetwork::step() {
  if (queue_.empty()) return false;
  const EventQueue::Entry e = queue_.pop();
  now_ = e.at;
  if (e.kind == EventQueue::Kind::kDatagram) {
    arrive(e.slot);
    return true;
  }
  Timer& t = timers_[e.slot];
  const bool armed = t.armed;
  auto callback = std::move(t.callback);
  t.callback = nullptr;
  t.armed = false;
  ++t.generation;  // stale TimerIds for this slot no longer match
  free_timers_.push_back(e.slot);
  if (armed) callback(now_);
  return true;
}

void SimNetwork::run_until(TimePoint until) {
  while (!queue_.empty() && queue_.top().at <= until) step();
  now_ = std::max(now_, until);
}

bool SimNetwork::run_until(const std::function<bool()>& done, TimePoint deadline) {
  while (!done()) {
    if (queue_.empty() || queue_.top().at > deadline) {
      now_ = std::max(now_, deadline);
      return done();
    }
    step();
  }
  return true;
}

// --- Datagrams --------------------------------------------------------------

Bytes SimNetwork::take_buffer(ByteView bytes) {
  Bytes buffer;
  if (!spare_buffers_.empty()) {
    buffer = std::move(spare_buffers_.back());
    spare_buffers_.pop_back();
  }
  buffer.assign(bytes.begin(), bytes.end());
  return buffer;
}

void SimNetwork::recycle(Bytes buffer) {
  if (buffer.capacity() > 0) spare_buffers_.push_back(std::move(buffer));
}

void SimNetwork::emit(TraceKind kind, NodeId node, const Endpoint& src, const Endpoint& dst,
                      ByteView bytes) {
  if (trace_) trace_(TraceEvent{kind, now_, node, src, dst, bytes});
}

void SimNetwork::drop(NodeId at, const Endpoint& src, const Endpoint& dst, ByteView bytes,
                      DropReason reason) {
  ++stats_.dropped[static_cast<size_t>(reason)];
  if (trace_) trace_(TraceEvent{TraceKind::kDrop, now_, at, src, dst, bytes, reason});
}

void SimNetwork::send_from(NodeId host, const Endpoint& local, const Endpoint& to, ByteView bytes) {
  ++stats_.sent;
  emit(TraceKind::kSend, host, local, to, bytes);
  if (bytes.size() > kMaxUdpPayload) return drop(host, local, to, bytes, DropReason::kTooLarge);
  route(host, nodes_[host].realm, local, to, take_buffer(bytes));
}

// The next hop inside `realm`: the node owning the address, else the realm's NAT
// (the default gateway of a private network) unless that is where we came from.
void SimNetwork::route(NodeId from, RealmId realm, const Endpoint& src, const Endpoint& dst,
                       Bytes payload) {
  NodeId to;
  if (auto it = addresses_.find(address_key(realm, dst.ip)); it != addresses_.end()) {
    to = it->second;
  } else if (const auto gateway = realms_[realm].gateway; gateway && *gateway != from) {
    to = *gateway;
  } else {
    drop(from, src, dst, payload, DropReason::kNoRoute);
    return recycle(std::move(payload));
  }
  hop(from, to, realm, src, dst, std::move(payload));
}

void SimNetwork::hop(NodeId from, NodeId to, RealmId realm, const Endpoint& src,
                     const Endpoint& dst, Bytes payload) {
  // The links this hop crosses (see set_realm_link's contract).
  struct Crossing {
    const LinkParams* params;
    LinkState* state;
  };
  std::array<Crossing, 3> path{};
  size_t links = 0;
  LinkState stateless;  // for links whose params keep no state
  if (const Node& f = nodes_[from]; f.access_link && f.realm == realm) {
    Link& l = links_[*f.access_link];
    path[links++] = {&l.params, &l.state};
  }
  const auto specific =
      path_links_.empty() ? path_links_.end() : path_links_.find(pair_key(from, to));
  if (specific != path_links_.end()) {
    Link& l = links_[specific->second];
    path[links++] = {&l.params, &l.state};
  } else {
    Realm& r = realms_[realm];
    const LinkParams& params = links_[r.default_link].params;
    path[links++] = {&params, params.stateful() ? &r.pair_state[pair_key(from, to)] : &stateless};
  }
  if (const Node& t = nodes_[to]; t.access_link && t.realm == realm) {
    Link& l = links_[*t.access_link];
    path[links++] = {&l.params, &l.state};
  }

  // Each link may drop a copy or duplicate it, so at most 2^3 copies come out.
  std::array<TimePoint, 8> exits{now_};
  size_t copies = 1;
  for (size_t i = 0; i < links; ++i) {
    std::array<TimePoint, 8> next{};
    size_t out = 0;
    for (size_t c = 0; c < copies; ++c) {
      const LinkCrossing x =
          cross_link(*path[i].params, *path[i].state, random_, exits[c], payload.size());
      if (x.drop) {
        drop(from, src, dst, payload, *x.drop);
        continue;
      }
      stats_.reordered += x.reordered ? 1 : 0;
      next[out++] = x.exit;
      if (x.duplicate_exit) {
        ++stats_.duplicated;
        next[out++] = *x.duplicate_exit;
      }
    }
    exits = next;
    copies = out;
  }

  for (size_t c = 0; c < copies; ++c) {
    uint32_t slot;
    if (!free_in_flight_.empty()) {
      slot = free_in_flight_.back();
      free_in_flight_.pop_back();
    } else {
      slot = static_cast<uint32_t>(in_flight_.size());
      in_flight_.emplace_back();
    }
    InFlight& f = in_flight_[slot];
    f.to = to;
    f.realm = realm;
    f.from = src;
    f.dst = dst;
    f.payload = c + 1 < copies ? take_buffer(payload) : std::move(payload);
    queue_.push(exits[c], EventQueue::Kind::kDatagram, slot);
  }
  if (copies == 0) recycle(std::move(payload));
}

void SimNetwork::arrive(uint32_t slot) {
  InFlight& f = in_flight_[slot];
  const NodeId to = f.to;
  const RealmId realm = f.realm;
  const Endpoint src = f.from, dst = f.dst;
  Bytes payload = std::move(f.payload);
  free_in_flight_.push_back(slot);

  Node& n = nodes_[to];
  if (n.nat) return arrive_at_nat(to, realm, src, dst, std::move(payload));
  const auto socket = std::find_if(n.sockets.begin(), n.sockets.end(),
                                   [&dst](const auto& s) { return s.first == dst.port; });
  if (socket == n.sockets.end() || !socket->second->has_receiver()) {
    drop(to, src, dst, payload, DropReason::kPortUnreachable);
    return recycle(std::move(payload));
  }
  ++stats_.delivered;
  emit(TraceKind::kDeliver, to, src, dst, payload);
  // The receiver may send, bind or add nodes: nothing here is used after the call
  // except `payload`, which this frame owns.
  socket->second->receive(now_, src, payload);
  recycle(std::move(payload));
}

void SimNetwork::arrive_at_nat(NodeId nat_id, RealmId realm, const Endpoint& src,
                               const Endpoint& dst, Bytes payload) {
  Node& n = nodes_[nat_id];
  NatModel& nat = *n.nat;
  auto refuse = [&](DropReason reason) {
    drop(nat_id, src, dst, payload, reason);
    recycle(std::move(payload));
  };
  auto forward = [&](RealmId into, const Endpoint& new_src, const Endpoint& new_dst) {
    ++stats_.forwarded;
    emit(TraceKind::kForward, nat_id, new_src, new_dst, payload);
    route(nat_id, into, new_src, new_dst, std::move(payload));
  };

  if (realm != n.inside) {  // from outside
    const NatResult in = nat.inbound(now_, src, dst);
    return in.endpoint ? forward(n.inside, src, *in.endpoint) : refuse(in.reason);
  }
  const bool hairpin = dst.ip == nat.config().public_ip;
  if (hairpin && !nat.config().hairpinning) return refuse(DropReason::kNatHairpinOff);
  const NatResult out = nat.outbound(now_, src, dst);
  if (!out.endpoint) return refuse(out.reason);
  if (!hairpin) return forward(n.realm, *out.endpoint, dst);
  // RFC 4787 REQ-9: the hairpinned datagram carries the sender's external endpoint and
  // passes the filter like any datagram from outside.
  const NatResult in = nat.inbound(now_, *out.endpoint, dst);
  return in.endpoint ? forward(n.inside, *out.endpoint, *in.endpoint) : refuse(in.reason);
}

}  // namespace koe::sim
