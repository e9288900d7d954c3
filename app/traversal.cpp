#include "app/traversal.hpp"

#include <algorithm>

#include "app/introduction.hpp"
#include "net/wire.hpp"

namespace koe {

struct Traversal::Attempt {
  PublicKey key{};
  NodeId peer;
  NodeId supernode;  // introductions go through it
  bool initiator = false;
  uint64_t id = 0;
  PunchOffer ours;
  std::unique_ptr<HolePunch> punch;
  RouteSelector path;
  bool offer_sent = false;
  uint32_t offers_sent = 0;
  TimePoint resend_offer_at = kNever;  // no answer yet: the offer (or the answer) was lost
  TimePoint send_offer_by = kNever;  // the caller's offer waits for our NAT's profile until then
  bool relays_requested = false;
  // The caller's relay tickets, said again until the link is up: an introduction
  // can be lost with a link that fails on the way (the callee's supernode drops it
  // unless the callee is linked to it). The callee's: the tickets it joined.
  std::vector<RelayTicket> tickets;
  uint32_t tickets_sent = 0;
  TimePoint resend_tickets_at = kNever;
  bool tunnel_requested = false;
  std::optional<Endpoint> tunnel;
  bool link_up = false;
  bool relayed = false;  // the link is up through the tunnel and a relay
  uint32_t spray_generation = 0;  // the newest set of spray sockets asked for
  // The spray socket that punched through and now carries the link (through the
  // tunnel), and the peer's endpoint it reaches; 0 while there is none.
  uint16_t carrier = 0;
  Endpoint carrier_peer;
  bool carrier_active = false;  // our datagrams leave through it (else through the relay)
  bool peer_heard = false;      // a message came over the link: the peer's side is up too
  TimePoint carrier_deadline = kNever;  // a deferred switch happens by then at the latest
  TimePoint expires = kNever;
  TimePoint release_relays_at = kNever;
};

std::string_view to_string(TraversalPath path) {
  switch (path) {
    case TraversalPath::kNone: return "none";
    case TraversalPath::kPunching: return "punching";
    case TraversalPath::kDirect: return "direct";
    case TraversalPath::kRelay: return "relay";
  }
  return "unknown";
}

NatClass nat_class_of(const NatProfile& profile) {
  switch (profile.mapping) {
    case NatMapping::kNone:
      return NatClass::kOpen;
    case NatMapping::kEndpointIndependent:
      return profile.filtering == NatFiltering::kEndpointIndependent ? NatClass::kFullCone : NatClass::kPortRestricted;
    case NatMapping::kEndpointDependent:
      return NatClass::kSymmetric;
    case NatMapping::kUnknown:
      break;
  }
  return NatClass::kUnknown;
}

std::string describe_nat(const NatProfile& profile, const std::optional<Endpoint>& reflexive) {
  std::string line;
  if (profile.mapping == NatMapping::kNone) {
    line = "no NAT";
  } else {
    line = std::string(to_string(profile.mapping)) + " mapping, " + std::string(to_string(profile.filtering)) +
           " filtering";
    if (profile.mapping == NatMapping::kEndpointDependent)
      line += ", " + std::string(to_string(profile.allocation)) + " ports";
  }
  if (reflexive) line += "; public " + reflexive->to_string();
  return line;
}

Traversal::Traversal(const Identity& identity, Random& random, TraversalConfig config)
    : identity_(identity),
      random_(random),
      config_(std::move(config)),
      relay_client_(identity, random, RelayClientConfig{.wall_clock_offset = config_.wall_clock_offset}),
      forward_limiter_(config_.introductions) {
  set_serving(config_.serve);
}

void Traversal::set_serving(bool serve) {
  if (!serve) {
    relay_server_.reset();
    return;
  }
  if (relay_server_) return;
  RelayServerConfig relay;
  relay.wall_clock_offset = config_.wall_clock_offset;
  relay_server_ = std::make_unique<RelayServer>(random_, config_.self, relay);
}

Traversal::~Traversal() = default;

bool Traversal::owns(wire::PacketType type) {
  return NatProbeServer::owns(type) || type == wire::PacketType::kProbeResponse || RelayClient::owns(type) ||
         type == wire::PacketType::kPunchProbe || type == wire::PacketType::kPunchAck;
}

uint64_t Traversal::unix_now(TimePoint now) const {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch() + config_.wall_clock_offset).count());
}

void Traversal::set_supernodes(TimePoint now, std::vector<Endpoint> supernodes) {
  std::erase(supernodes, config_.self);
  if (supernodes == supernodes_ || supernodes.empty()) return;
  supernodes_ = std::move(supernodes);
  NatDiscoveryConfig discovery;
  discovery.servers = supernodes_;
  discovery.local_addresses = config_.local_addresses;
  discovery_ = std::make_unique<NatDiscovery>(random_, discovery);
  discovery_->start(now);
  relay_client_.measure(now, supernodes_);
  update_probe_partners();
  collect(now);
}

void Traversal::set_probe_partners(std::vector<Endpoint> partners) {
  if (partners == extra_partners_) return;
  extra_partners_ = std::move(partners);
  update_probe_partners();
}

void Traversal::retest_filtering(TimePoint now, Duration interval) {
  if (!discovery_ || discovery_->state() != NatDiscoveryState::kReady ||
      discovery_->profile().filtering != NatFiltering::kUnknown || now < last_filtering_retest_ + interval)
    return;
  last_filtering_retest_ = now;
  discovery_->start(now);
  collect(now);
}

void Traversal::update_probe_partners() {
  std::vector<Endpoint> partners = supernodes_;
  for (const Endpoint& extra : extra_partners_)
    if (extra != config_.self && std::find(partners.begin(), partners.end(), extra) == partners.end())
      partners.push_back(extra);
  probe_server_.set_partners(std::move(partners));
}

PunchOffer Traversal::make_offer() {
  PunchOffer offer;
  random_.fill(offer.secret);
  if (discovery_) {
    offer.nat = discovery_->profile();
    offer.candidates = discovery_->candidates();
  }
  if (offer.candidates.empty())
    for (const Endpoint& local : config_.local_addresses) offer.candidates.push_back({CandidateKind::kLan, local});
  if (offer.candidates.size() > kMaxPunchCandidates) offer.candidates.resize(kMaxPunchCandidates);
  return offer;
}

void Traversal::reach(TimePoint now, const PresenceRecord& record) {
  if (record.supernodes.empty() || record.supernodes.front().id == record.id) return;  // a supernode itself
  if (Attempt* running = find(record.public_key)) {
    // A fresh record while our offer goes unanswered: the peer may have moved to
    // another supernode; the next offer goes there, now.
    if (running->initiator && !running->punch && running->supernode != record.supernodes.front().id) {
      running->supernode = record.supernodes.front().id;
      running->resend_offer_at = now;
      send_offer_when_ready(now, *running);
    }
    return;
  }
  if (attempts_.size() >= config_.max_attempts) return;
  auto attempt = std::make_unique<Attempt>();
  attempt->key = record.public_key;
  attempt->peer = record.id;
  attempt->supernode = record.supernodes.front().id;
  attempt->initiator = true;
  attempt->id = random_.next_u64();
  attempt->expires = now + config_.attempt_lifetime;
  attempt->send_offer_by = now + config_.offer_wait;
  ++counters_.attempts;
  Attempt& added = *attempts_.emplace(record.public_key, std::move(attempt)).first->second;
  send_offer_when_ready(now, added);
}

void Traversal::send_offer_when_ready(TimePoint now, Attempt& attempt) {
  // An offer without our reflexive endpoint and NAT profile would leave the peer
  // guessing: right after start-up, wait (briefly) for the discovery run.
  const bool discovering = discovery_ && discovery_->state() == NatDiscoveryState::kProbing;
  if (attempt.punch) return;  // answered
  if (attempt.offer_sent && now < attempt.resend_offer_at) return;
  if (!attempt.offer_sent && discovering && now < attempt.send_offer_by) return;
  if (attempt.offers_sent >= config_.max_offers) {
    attempt.resend_offer_at = kNever;
    return;
  }
  if (!attempt.offer_sent) attempt.ours = make_offer();
  attempt.offer_sent = true;
  ++attempt.offers_sent;
  attempt.resend_offer_at = now + config_.offer_resend;
  introduce(now, attempt, IntroductionKind::kOffer);
  // Unanswered twice: look the peer up again, its record may name another supernode.
  if (attempt.offers_sent >= 3) lookups_.push_back(attempt.peer);
}

void Traversal::introduce(TimePoint now, Attempt& attempt, IntroductionKind kind, std::vector<RelayTicket> tickets) {
  Introduction introduction;
  introduction.kind = kind;
  introduction.attempt = attempt.id;
  if (kind == IntroductionKind::kRelay) introduction.tickets = std::move(tickets);
  else introduction.offer = attempt.ours;
  auto sealed = seal_introduction(identity_, attempt.key, unix_now(now), introduction);
  if (sealed) introduces_.push_back({attempt.supernode, attempt.peer, std::move(*sealed)});
}

bool Traversal::allow_forward(TimePoint now, const NodeId& from) {
  // The limiter keys on 32 bits: the sender's NodeId prefix is as good as an address.
  const uint32_t source = (uint32_t{from.bytes[0]} << 24) | (uint32_t{from.bytes[1]} << 16) |
                          (uint32_t{from.bytes[2]} << 8) | from.bytes[3];
  if (forward_limiter_.allow(now, source)) return true;
  ++counters_.forwards_refused;
  return false;
}

void Traversal::on_introduction(TimePoint now, const NodeId& via, ByteView sealed) {
  auto opened = open_introduction(identity_, unix_now(now), sealed);
  if (!opened) {
    ++counters_.introductions_refused;
    return;
  }
  const Introduction& intro = opened->introduction;
  Attempt* attempt = find(opened->sender);
  switch (intro.kind) {
    case IntroductionKind::kOffer: {
      if (attempt && attempt->id == intro.attempt) {
        // The caller sent its offer again: our answer may have been lost.
        if (!attempt->initiator) introduce(now, *attempt, IntroductionKind::kAnswer);
        return;
      }
      if (attempt) {
        // Both sides started at once: the lower identity key's attempt wins.
        if (attempt->initiator && identity_.public_key() < opened->sender) return;
        release(*attempt);
        attempts_.erase(opened->sender);
      }
      if (attempts_.size() >= config_.max_attempts) {
        ++counters_.introductions_refused;
        return;
      }
      auto fresh = std::make_unique<Attempt>();
      fresh->key = opened->sender;
      fresh->peer = node_id_from_public_key(opened->sender);
      fresh->supernode = via;
      fresh->id = intro.attempt;
      fresh->ours = make_offer();
      fresh->offer_sent = true;
      fresh->expires = now + config_.attempt_lifetime;
      ++counters_.attempts;
      introduce(now, *fresh, IntroductionKind::kAnswer);
      start_punch(now, *fresh, *intro.offer);
      attempts_.emplace(opened->sender, std::move(fresh));
      return;
    }
    case IntroductionKind::kAnswer:
      if (!attempt || !attempt->initiator || attempt->id != intro.attempt) break;
      if (attempt->punch) return;  // the answer to an offer we sent again
      attempt->resend_offer_at = kNever;
      start_punch(now, *attempt, *intro.offer);
      return;
    case IntroductionKind::kRelay:
      if (!attempt || attempt->initiator || attempt->id != intro.attempt) break;
      for (const RelayTicket& ticket : intro.tickets) {
        if (std::find(attempt->tickets.begin(), attempt->tickets.end(), ticket) != attempt->tickets.end()) continue;
        attempt->tickets.push_back(ticket);
        attempt->path.add_relay(relay_client_.join(now, ticket));
      }
      collect(now);
      return;
  }
  ++counters_.introductions_refused;
}

void Traversal::start_punch(TimePoint now, Attempt& attempt, const PunchOffer& theirs) {
  const auto keys = derive_punch_keys(attempt.ours.secret, theirs.secret);
  if (!keys) return;
  attempt.punch = std::make_unique<HolePunch>(random_, *keys, attempt.ours, theirs);
  attempt.punch->start(now);
  collect(now);
}

void Traversal::on_punch_event(TimePoint now, Attempt& attempt, const HolePunchEvent& event) {
  if (event.kind == HolePunchEvent::Kind::kDirect && event.result && event.result->socket != kSharedSocket) {
    on_carrier_found(now, attempt, *event.result);
    return;
  }
  attempt.path.on_punch_event(event);
  if (event.kind == HolePunchEvent::Kind::kDirect && event.result) {
    ++counters_.punched;
    if (attempt.relayed) {
      ++counters_.moved_to_direct;
      connects_.push_back({attempt.key, event.result->remote, true});
      attempt.relayed = false;
      attempt.release_relays_at = now + config_.relay_linger;
    } else if (!attempt.link_up && attempt.initiator) {
      // Only the caller opens the session: the callee's punch has opened its NAT for
      // it, and two handshakes crossing would only race each other.
      connects_.push_back({attempt.key, event.result->remote, false});
    }
  } else if (event.kind == HolePunchEvent::Kind::kFailed && attempt.initiator && !attempt.link_up) {
    allocate_relays(now, attempt);
  }
}

void Traversal::on_carrier_found(TimePoint now, Attempt& attempt, const PunchResult& result) {
  // Our side of a birthday hit: the session goes through the tunnel (opened now, or
  // already carrying it through a relay), whose egress becomes that socket.
  ++counters_.punched;
  ++counters_.birthday_punched;
  attempt.carrier = result.socket;
  attempt.carrier_peer = result.remote;
  sprays_.push_back({attempt.key, TraversalSpray::Action::kKeep, attempt.spray_generation, 0, result.socket});
  open_tunnel(attempt);
  if (attempt.relays_requested && !attempt.peer_heard) {
    // The link is on its way up through the relay (our side may be up while the
    // peer's still waits for the session's confirmation): switching the egress then
    // lost calls in the lab at 10 % loss. It moves once the peer is heard over it
    // (on_peer_message), or after this long if it never came up.
    attempt.carrier_deadline = now + config_.carrier_deferral;
    return;
  }
  activate_carrier(now, attempt);
}

void Traversal::on_peer_message(TimePoint now, const PublicKey& key) {
  Attempt* attempt = find(key);
  if (!attempt || attempt->peer_heard) return;
  attempt->peer_heard = true;
  if (attempt->carrier != 0 && !attempt->carrier_active) {
    activate_carrier(now, *attempt);
    collect(now);
  }
}

void Traversal::activate_carrier(TimePoint now, Attempt& attempt) {
  attempt.carrier_active = true;
  attempt.carrier_deadline = kNever;
  if (attempt.relayed) {
    ++counters_.moved_to_direct;
    attempt.relayed = false;
    attempt.release_relays_at = now + config_.relay_linger;  // for what is still in flight
  }
  if (!attempt.tunnel) return;  // the session connects through it once it is open
  // The session's endpoint (the tunnel) stays, but the peer must learn the new path.
  // A link that is up sends an authenticated keepalive through it, which the peer's
  // session and ENet follow as for any moved path (until then the peer's ENet drops
  // our datagrams from the new address). A caller's session that is not up restarts
  // its handshake now instead of after its backed-off retransmission (up to 8 s).
  if (attempt.link_up) {
    connects_.push_back({attempt.key, *attempt.tunnel, true});
  } else if (attempt.initiator) {
    connects_.push_back({attempt.key, *attempt.tunnel, false});
  }
}

void Traversal::request_spray(Attempt& attempt) {
  const uint32_t generation = attempt.punch->spray_generation();
  if (generation == attempt.spray_generation || attempt.carrier != 0 ||
      attempt.punch->state() == HolePunchState::kConnected || attempt.punch->state() == HolePunchState::kStopped)
    return;
  if (spraying_ && *spraying_ != attempt.key) return;  // another peer's attempt has the sockets
  spraying_ = attempt.key;
  attempt.spray_generation = generation;
  sprays_.push_back({attempt.key, TraversalSpray::Action::kOpen, generation, attempt.punch->plan().spray_sockets, 0});
}

void Traversal::on_spray_opened(TimePoint now, const PublicKey& key, uint32_t generation, uint32_t opened) {
  Attempt* attempt = find(key);
  if (!attempt || !attempt->punch) return;
  attempt->punch->set_spray_sockets(generation, opened);
  collect(now);
}

void Traversal::on_spray_datagram(TimePoint now, const PublicKey& key, uint16_t socket, const Endpoint& from,
                                  ByteView bytes) {
  Attempt* attempt = find(key);
  if (!attempt) {
    ++counters_.spray_dropped;
    return;
  }
  const auto header = wire::decode_header(bytes);
  if (header && (header->type == wire::PacketType::kPunchProbe || header->type == wire::PacketType::kPunchAck)) {
    if (!attempt->punch || !attempt->punch->on_datagram(now, from, bytes, socket)) ++counters_.spray_dropped;
    collect(now);
  } else if (socket == attempt->carrier && from == attempt->carrier_peer && attempt->tunnel) {
    deliveries_.push_back({key, Bytes(bytes.begin(), bytes.end())});
  } else {
    ++counters_.spray_dropped;  // e.g. the peer's session before our side saw the hit: it retries
  }
}

void Traversal::allocate_relays(TimePoint now, Attempt& attempt) {
  if (attempt.relays_requested) return;
  attempt.relays_requested = true;
  std::vector<Endpoint> relays;
  for (const RankedRelay& ranked : relay_client_.ranked()) relays.push_back(ranked.relay);
  if (relays.empty()) relays = supernodes_;  // nothing measured yet: any supernode
  if (relays.size() > config_.relays_per_attempt) relays.resize(config_.relays_per_attempt);
  for (const Endpoint& relay : relays) attempt.path.add_relay(relay_client_.allocate(now, relay));
}

void Traversal::send_tickets(TimePoint now, Attempt& attempt, std::vector<RelayTicket> tickets) {
  ++attempt.tickets_sent;
  attempt.resend_tickets_at = attempt.tickets_sent < config_.max_offers ? now + config_.offer_resend : kNever;
  introduce(now, attempt, IntroductionKind::kRelay, std::move(tickets));
}

void Traversal::on_relay_event(TimePoint now, RelayClientEvent& event) {
  Attempt* attempt = owner_of(event.handle);
  if (!attempt) {
    relay_client_.release(event.handle);
    return;
  }
  switch (event.kind) {
    case RelayClientEvent::Kind::kAllocated:
      if (event.peer_ticket) {
        attempt->tickets.push_back(*event.peer_ticket);
        send_tickets(now, *attempt, {*event.peer_ticket});
      }
      open_tunnel(*attempt);
      break;
    case RelayClientEvent::Kind::kBound:
      open_tunnel(*attempt);
      break;
    case RelayClientEvent::Kind::kFailed:
      attempt->path.remove_relay(event.handle);
      relay_client_.release(event.handle);
      break;
    case RelayClientEvent::Kind::kDead:
      break;  // RouteSelector moves to a standby; a binding may come back
    case RelayClientEvent::Kind::kData:
      if (attempt->tunnel) deliveries_.push_back({attempt->key, std::move(event.payload)});
      break;
  }
}

void Traversal::open_tunnel(Attempt& attempt) {
  if (attempt.tunnel_requested) return;
  attempt.tunnel_requested = true;
  tunnels_.push_back({attempt.key, true});
}

void Traversal::on_tunnel_opened(TimePoint /*now*/, const PublicKey& key, const Endpoint& tunnel) {
  Attempt* attempt = find(key);
  if (!attempt) {
    tunnels_.push_back({key, false});
    return;
  }
  attempt->tunnel = tunnel;
  if (!attempt->link_up && attempt->initiator) connects_.push_back({key, tunnel, false});
}

void Traversal::send_through_tunnel(const PublicKey& key, ByteView datagram) {
  Attempt* attempt = find(key);
  if (!attempt) return;
  if (attempt->carrier_active) {
    spray_sends_.push_back({key, attempt->carrier, attempt->carrier_peer, Bytes(datagram.begin(), datagram.end())});
    return;
  }
  const CallRoute& route = attempt->path.route();
  bool sent = route.kind == CallRoute::Kind::kRelay && relay_client_.send(route.relay, datagram);
  for (const RelayHandle handle : attempt->path.relays())  // lingering after a move
    if (!sent && relay_client_.usable(handle)) sent = relay_client_.send(handle, datagram);
  // The hot path of a relayed call: only the relay client has something to send.
  for (auto& out : relay_client_.take_outbox()) outbox_.push_back(std::move(out));
}

void Traversal::on_link_up(TimePoint now, const PublicKey& key, std::optional<Endpoint> endpoint) {
  Attempt* attempt = find(key);
  if (!attempt) return;
  attempt->link_up = true;
  const bool tunnelled = attempt->tunnel && endpoint == attempt->tunnel;
  attempt->relayed = tunnelled && !attempt->carrier_active;
  if (attempt->relayed) {
    ++counters_.relayed;
    const auto& punched = attempt->punch ? attempt->punch->result() : std::nullopt;
    if (punched && punched->socket == kSharedSocket) {
      // A callee whose punch worked before the caller's link came up through the relay
      // (the caller's side took longer): move onto the punched path now, as when a
      // relayed link's background attempt works.
      ++counters_.moved_to_direct;
      connects_.push_back({key, punched->remote, true});
      attempt->relayed = false;
      attempt->release_relays_at = now + config_.relay_linger;
    }
    return;  // otherwise keep punching in the background: the link moves when a path opens
  }
  if (tunnelled) return;  // punched, through a spray socket: it carries the link
  // Direct (LAN, public or punched): nothing more to do for this peer.
  release(*attempt);
  attempts_.erase(key);
  collect(now);
}

void Traversal::on_link_down(const PublicKey& key) {
  Attempt* attempt = find(key);
  if (!attempt || !attempt->link_up) return;
  release(*attempt);
  attempts_.erase(key);
}

void Traversal::release(Attempt& attempt) {
  if (attempt.punch) attempt.punch->stop();
  for (const RelayHandle handle : attempt.path.relays()) relay_client_.release(handle);
  if (attempt.tunnel_requested) tunnels_.push_back({attempt.key, false});
  if (attempt.spray_generation != 0) sprays_.push_back({attempt.key, TraversalSpray::Action::kClose, 0, 0, 0});
  if (spraying_ == attempt.key) spraying_.reset();
}

Traversal::Attempt* Traversal::find(const PublicKey& key) {
  const auto it = attempts_.find(key);
  return it == attempts_.end() ? nullptr : it->second.get();
}

const Traversal::Attempt* Traversal::find(const PublicKey& key) const {
  const auto it = attempts_.find(key);
  return it == attempts_.end() ? nullptr : it->second.get();
}

Traversal::Attempt* Traversal::owner_of(RelayHandle handle) {
  for (auto& [key, attempt] : attempts_) {
    const auto& relays = attempt->path.relays();
    if (std::find(relays.begin(), relays.end(), handle) != relays.end()) return attempt.get();
  }
  return nullptr;
}

TraversalPath Traversal::path(const PublicKey& key) const {
  const Attempt* attempt = find(key);
  if (!attempt) return TraversalPath::kNone;
  if (attempt->relayed) return TraversalPath::kRelay;
  return attempt->link_up ? TraversalPath::kDirect : TraversalPath::kPunching;
}

bool Traversal::has_path(const PublicKey& key) const {
  const Attempt* attempt = find(key);
  return attempt && (attempt->tunnel_requested || attempt->carrier != 0 ||
                     attempt->path.route().kind == CallRoute::Kind::kDirect);
}

bool Traversal::carried_by_spray_socket(const PublicKey& key) const {
  const Attempt* attempt = find(key);
  return attempt && attempt->carrier_active;
}

std::optional<Endpoint> Traversal::relay_of(const PublicKey& key) const {
  const Attempt* attempt = find(key);
  if (!attempt || !attempt->relayed || attempt->path.route().kind != CallRoute::Kind::kRelay) return std::nullopt;
  return relay_client_.relay_of(attempt->path.route().relay);
}

void Traversal::on_datagram(TimePoint now, const Endpoint& from, ByteView bytes) {
  const auto header = wire::decode_header(bytes);
  if (!header) return;
  const wire::PacketType type = header->type;
  if (type == wire::PacketType::kProbeResponse) {
    if (discovery_) discovery_->on_datagram(now, from, bytes);
  } else if (NatProbeServer::owns(type)) {
    probe_server_.on_datagram(now, from, bytes);
  } else if (RelayClient::owns(type)) {
    if (!relay_client_.on_datagram(now, from, bytes) && relay_server_) relay_server_->on_datagram(now, from, bytes);
  } else {
    for (auto& [key, attempt] : attempts_)
      if (attempt->punch && attempt->punch->on_datagram(now, from, bytes)) break;
  }
  collect(now);
}

void Traversal::on_timer(TimePoint now) {
  if (discovery_ && discovery_->next_timeout() <= now) discovery_->on_timer(now);
  if (relay_server_ && relay_server_->next_timeout() <= now) relay_server_->on_timer(now);
  if (relay_client_.next_timeout() <= now) relay_client_.on_timer(now);
  for (auto it = attempts_.begin(); it != attempts_.end();) {
    Attempt& attempt = *it->second;
    if (attempt.punch && attempt.punch->next_timeout() <= now) attempt.punch->on_timer(now);
    if (!attempt.link_up && now >= attempt.resend_tickets_at) send_tickets(now, attempt, attempt.tickets);
    if (now >= attempt.carrier_deadline) {
      attempt.carrier_deadline = kNever;
      // Not up through the relay: take the spray socket. Up on our side but the peer
      // not heard yet: stay on the relay that works for us until it is.
      if (!attempt.link_up) activate_carrier(now, attempt);
    }
    if (now >= attempt.release_relays_at) {
      attempt.release_relays_at = kNever;
      if (attempt.carrier_active) {
        // Carried through a spray socket: the attempt (and its tunnel) lives with the link.
        while (!attempt.path.relays().empty()) {
          relay_client_.release(attempt.path.relays().front());
          attempt.path.remove_relay(attempt.path.relays().front());
        }
        ++it;
        continue;
      }
      // The link is direct now: the attempt has nothing left to do.
      release(attempt);
      it = attempts_.erase(it);
      continue;
    }
    if (!attempt.link_up && now >= attempt.expires) {
      release(attempt);
      it = attempts_.erase(it);
      continue;
    }
    ++it;
  }
  collect(now);
}

void Traversal::collect(TimePoint now) {
  if (discovery_) {
    for (auto& out : discovery_->take_outbox()) outbox_.push_back(std::move(out));
    for (auto& event : discovery_->take_events()) nat_events_.push_back(std::move(event));
  }
  for (auto& out : probe_server_.take_outbox()) outbox_.push_back(std::move(out));
  if (relay_server_)
    for (auto& out : relay_server_->take_outbox()) outbox_.push_back(std::move(out));
  for (auto& event : relay_client_.take_events()) on_relay_event(now, event);
  for (auto& [key, attempt] : attempts_) {
    if (attempt->initiator) send_offer_when_ready(now, *attempt);
    if (!attempt->punch) continue;
    request_spray(*attempt);
    for (auto& out : attempt->punch->take_outbox()) outbox_.push_back(std::move(out));
    for (auto& out : attempt->punch->take_spray_outbox())
      spray_sends_.push_back({key, out.socket, out.to, std::move(out.bytes)});
    for (const auto& event : attempt->punch->take_events()) on_punch_event(now, *attempt, event);
    attempt->path.update(now, relay_client_);
  }
  for (auto& out : relay_client_.take_outbox()) outbox_.push_back(std::move(out));
}

TimePoint Traversal::next_timeout() const {
  TimePoint next = relay_client_.next_timeout();
  if (discovery_) next = std::min(next, discovery_->next_timeout());
  if (relay_server_) next = std::min(next, relay_server_->next_timeout());
  for (const auto& [key, attempt] : attempts_) {
    if (attempt->punch) next = std::min(next, attempt->punch->next_timeout());
    next = std::min({next, attempt->release_relays_at, attempt->carrier_deadline,
                     attempt->link_up ? kNever : attempt->expires,
                     attempt->link_up ? kNever : attempt->resend_tickets_at,
                     attempt->offer_sent ? attempt->resend_offer_at : attempt->send_offer_by});
  }
  return next;
}

}  // namespace koe
