#include "app/node_cores.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "audio/voice_engine.hpp"
#include "net/local_address.hpp"
#include "net/user_id.hpp"
#include "net/wire.hpp"

namespace koe {

namespace {

constexpr size_t kMaxLogLines = 200;
// Accepted contacts we have no session with are looked for again this often, so
// presence reaches those who came online while we could not find them.
constexpr Duration kContactSweepInterval = std::chrono::seconds(30);
// How often a client checks that its link with its supernode is up.
constexpr Duration kSupernodeCheckInterval = std::chrono::seconds(2);

// Initiation timestamps must grow across restarts, and records carry Unix expiry
// times: both anchor the steady clock to the wall clock once.
Duration wall_clock_offset(const Clock& clock) {
  const auto unix_now = std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch());
  return unix_now - clock.now().time_since_epoch();
}

SessionManagerConfig session_config(Duration offset) {
  SessionManagerConfig config;
  config.wall_clock_offset = offset;
  return config;
}

// Who serves the index: `always` does; `auto` does when there is nobody to join (a
// new local network starts with its first node); `never` never does.
bool serves_index(const NodeConfig& config, const HostCache& cache) {
  switch (config.supernode_mode) {
    case SupernodeMode::kAlways:
      return true;
    case SupernodeMode::kDisabled:
      return false;
    case SupernodeMode::kAuto:
      return config.bootstrap.empty() && cache.size() == 0;
  }
  return false;
}

IndexRoleConfig index_config(const NodeConfig& config, const HostCache& cache, Endpoint self, Duration offset) {
  IndexRoleConfig index;
  index.supernode = serves_index(config, cache);
  index.seeds = config.bootstrap;
  for (const auto& entry : cache.entries())
    if (std::find(index.seeds.begin(), index.seeds.end(), entry.endpoint) == index.seeds.end())
      index.seeds.push_back(entry.endpoint);
  index.self = self;
  index.profile.display_name = config.display_name;
  index.profile.lan_endpoint = self;
  index.wall_clock_offset = offset;
  return index;
}

// Our endpoint as others on the LAN (or, for a public node, anyone) reach it.
Endpoint lan_endpoint(const NodeConfig& config, const UdpHost& host) {
  return Endpoint{config.lan_ip.value_or(primary_ipv4_address()), host.local_endpoint().port};
}

// What the user is told when a search did not complete.
std::string search_failure(RequestStatus status) {
  return status == RequestStatus::kTimedOut ? "timed out" : "refused by the supernode";
}

}  // namespace

NodeCores::NodeCores(const NodeConfig& config, NodeFiles files, const Clock& clock, UdpHost& host,
                     VoiceEngine* voice, AppSnapshot initial, Publish publish)
    : config_(config),
      clock_(clock),
      transport_(host),
      signer_(*config.identity),
      secure_(*config.identity, host, host.enet(), random_, session_config(wall_clock_offset(clock))),
      index_(signer_, random_, host,
             index_config(config, files.host_cache, lan_endpoint(config, host), wall_clock_offset(clock))),
      traversal_(*config.identity, random_,
                 TraversalConfig{.serve = index_.is_supernode(),
                                 .self = *index_.profile().lan_endpoint,  // set by index_config
                                 .local_addresses = {*index_.profile().lan_endpoint},
                                 .wall_clock_offset = wall_clock_offset(clock)}),
      control_(random_, config.identity->node_id(), config.display_name, std::move(files.contacts)),
      host_cache_(std::move(files.host_cache)),
      voice_(voice),
      state_(std::move(initial)),
      publish_(std::move(publish)),
      started_(clock.now()),
      election_(config.election, random_, election_consent(config.supernode_mode),
                index_.is_supernode() ? ElectionRole::kSupernode : ElectionRole::kClient, started_),
      upstream_meter_(random_),
      wall_clock_offset_(wall_clock_offset(clock)) {
  const TimePoint now = clock_.now();
  const bool accept_anyone =
      config_.accept_from_anyone || config_.echo_service || config_.auto_answer == AutoAnswer::kAnyone;
  control_.calls().set_accept_from_anyone(accept_anyone);
  state_.role = index_.is_supernode() ? NodeRole::kSupernode : NodeRole::kClient;
  state_.network = index_.is_supernode() ? NetworkState::kOnline : NetworkState::kConnecting;
  if (!index_.is_supernode() && config_.bootstrap.empty() && host_cache_.size() == 0) {
    state_.network = NetworkState::kOffline;
    state_.network_detail = "no supernode known: pass --bootstrap HOST:PORT";
  }
  log(index_.is_supernode() ? "serving the index as supernode" : "joining the network");
  update_offer(now);  // before anyone attaches: the capacity limits who may
  index_.start(now);
  set_traversal_supernodes(now);  // learns our NAT, or that UDP is blocked, even before attaching
  control_.presence().set_own(now, OwnPresence::kOnline);
  // Requests made while offline (`koe contacts add`, or an earlier run) go out now.
  for (const auto& contact : control_.contacts().all())
    if (contact.state == ContactState::kRequestSent)
      (void)control_.requests().send_request(to_user_id(contact.id), contact.message);
  next_contact_sweep_ = now + kContactSweepInterval;
  next_supernode_check_ = now + kSupernodeCheckInterval;
  (void)cpu_.sample();  // the first reading: headroom is measured from here
  next_election_sample_ = now + std::chrono::seconds(1);
  pump(now);
  refresh_snapshot(now);
  publish_(state_);
}

NodeCores::~NodeCores() = default;

void NodeCores::log(std::string line) {
  // Local wall-clock time to the millisecond, so lines from several nodes line up.
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm local{};
  localtime_r(&seconds, &local);
  char stamp[16];
  std::snprintf(stamp, sizeof stamp, "%02d:%02d:%02d.%03d ", local.tm_hour, local.tm_min, local.tm_sec,
                static_cast<int>(millis));
  log_.push_back(stamp + std::move(line));
  if (log_.size() > kMaxLogLines) log_.pop_front();
}

void NodeCores::on_datagram(TimePoint now, const Endpoint& from, ByteView bytes) {
  ++state_.datagrams_received;
  note_activity(now);
  const auto packet = wire::decode_header(bytes);
  if (!packet) {
    ++state_.datagrams_dropped;
    return;
  }
  if (SecureTransport::owns(packet->type)) {
    secure_.on_datagram(now, from, bytes);
  } else if (IndexRole::owns(packet->type)) {
    index_.on_datagram(now, from, bytes);
  } else if (Traversal::owns(packet->type)) {
    traversal_.on_datagram(now, from, bytes);
  } else if (packet->type == wire::PacketType::kUpstreamTrain || packet->type == wire::PacketType::kUpstreamReport) {
    on_upstream_probe(now, from, bytes, packet->type);
  } else {
    ++state_.datagrams_dropped;  // a type whose owning core this node does not run
  }
  pump(now);
}

void NodeCores::on_enet_event(TimePoint now, const ENetEvent& event) {
  note_activity(now);
  secure_.on_enet_event(now, event);
  pump(now);
}

void NodeCores::on_link_event(TimePoint now, LinkEvent& event) {
  const NodeId peer = node_id_from_public_key(event.peer);
  switch (event.kind) {
    case LinkEvent::Kind::kUp:
      if (traversal_.has_path(event.peer)) {
        const auto at = secure_.sessions().peer_endpoint(event.peer);
        log("link with " + to_user_id(peer).substr(0, 12) + "… up" + (at ? " at " + at->to_string() : ""));
      }
      peers_.on_link_up(now, event.peer, secure_.sessions().peer_endpoint(event.peer));
      traversal_.on_link_up(now, event.peer, secure_.sessions().peer_endpoint(event.peer));
      control_.on_peer_reachable(now, peer);
      if (supernode_id_ && *supernode_id_ == peer) on_supernode_link(now, event.peer);
      return;
    case LinkEvent::Kind::kDown:
      if (traversal_.has_path(event.peer)) log("link with " + to_user_id(peer).substr(0, 12) + "… down");
      if (supernode_id_ && *supernode_id_ == peer && index_.attached()) {
        // Our supernode's link timed out: it is gone, no need to wait for keepalives.
        log("supernode " + index_.supernode()->endpoint.to_string() + " lost");
        index_.supernode_lost(now);
      }
      peers_.on_link_down(event.peer);
      traversal_.on_link_down(event.peer);
      control_.on_peer_unreachable(peer);
      return;
    case LinkEvent::Kind::kMessage:
      traversal_.on_peer_message(now, event.peer);
      if (event.channel == LinkChannel::kControl) {
        control_.on_payload(now, peer, event.data);
      } else {
        control_.on_peer_activity(now, peer);
        const CallInfo* call = control_.calls().call();
        if (voice_ && call && call->state == CallState::kActive && call->peer == peer)
          voice_->deliver(call->id, event.data);
      }
      return;
  }
}

void NodeCores::on_supernode_link(TimePoint now, const PublicKey& key) {
  const auto supernode = index_.supernode();
  if (!supernode) return;
  const auto unix_now = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch() + wall_clock_offset_);
  if (host_cache_.record_success(key, supernode->endpoint, unix_now.count(), std::nullopt)) save_host_cache();
}

void NodeCores::on_index_event(TimePoint now, IndexClientEvent& event) {
  if (const auto* attached = std::get_if<AttachedEvent>(&event)) {
    state_.network = NetworkState::kOnline;
    state_.network_detail = index_.is_supernode() ? "acting as supernode"
                                                  : "via supernode " + attached->supernode.endpoint.to_string();
    log("online " + state_.network_detail);
    if (!index_.is_supernode()) {
      // An authenticated session with our supernode (its key comes from its own
      // signed record) proves it before it enters the host cache, and keeps it warm.
      supernode_id_ = attached->supernode.id;
      if (attached->supernode_key) peers_.learn(*attached->supernode_key, attached->supernode.endpoint);
      peers_.reach(now, attached->supernode.id);
    }
    set_traversal_supernodes(now);
  } else if (const auto* detached = std::get_if<DetachedEvent>(&event)) {
    state_.network = NetworkState::kConnecting;
    const std::string endpoint = detached->supernode.endpoint.to_string();
    state_.network_detail = detached->moved ? "moving on from supernode " + endpoint
                                            : "supernode " + endpoint + " stopped answering";
    log(state_.network_detail);
  } else if (const auto* load = std::get_if<LoadReportEvent>(&event)) {
    on_load_report(now, *load);
  } else if (auto* lookup = std::get_if<LookupResultEvent>(&event)) {
    if (lookup->request == search_lookup_) {
      state_.search.done = true;
      if (lookup->record) {
        peer_names_[lookup->record->id] = lookup->record->display_name;
        state_.search.hits.push_back({to_user_id(lookup->record->id), lookup->record->display_name});
      } else if (lookup->status != RequestStatus::kNotFound) {
        state_.search.error = search_failure(lookup->status);
      }
    }
    const auto it = lookups_.find(lookup->request);
    if (it == lookups_.end()) return;
    const NodeId peer = it->second;
    lookups_.erase(it);
    if (lookup->record) {
      peer_names_[peer] = lookup->record->display_name;
      peers_.on_record(now, *lookup->record);
      // The introduction goes through the peer's supernode: no lookup of it first.
      for (const SupernodeRef& supernode : lookup->record->supernodes)
        if (supernode.key) peers_.learn(*supernode.key, supernode.endpoint);
      traversal_.reach(now, *lookup->record);  // in parallel with the record's endpoints
    } else {
      const bool offline = lookup->status == RequestStatus::kNotFound;
      log("lookup of " + to_user_id(peer) + ": " + (offline ? std::string("no record") : search_failure(lookup->status)));
      peers_.on_lookup_failed(now, peer, offline ? PeerFailure::kOffline : PeerFailure::kUnreachable);
    }
  } else if (auto* search = std::get_if<SearchResultEvent>(&event)) {
    if (search->request != search_request_) return;
    state_.search.done = true;
    if (search->status != RequestStatus::kFound && search->status != RequestStatus::kNotFound)
      state_.search.error = search_failure(search->status);
    for (const auto& record : search->records) {
      peer_names_[record.id] = record.display_name;
      peers_.on_record(now, record);
      state_.search.hits.push_back({to_user_id(record.id), record.display_name});
    }
  }
}

void NodeCores::pump(TimePoint now) {
  // Each step may produce work for the others; a few rounds settle everything.
  for (int round = 0; round < 4; ++round) {
    bool busy = false;
    for (auto& event : secure_.take_events()) {
      busy = true;
      on_link_event(now, event);
    }
    for (auto& event : index_.take_events()) {
      busy = true;
      on_index_event(now, event);
    }
    for (const auto& event : control_.requests().take_events()) on_contact_event(now, event);
    for (const auto& event : control_.presence().take_events()) {
      (void)event;
      note_activity(now);
    }
    for (const auto& event : control_.calls().take_events()) {
      busy = true;
      on_call_event(now, event);
    }
    for (auto& outgoing : control_.take_outbox()) {
      busy = true;
      if (auto bytes = encode_control_message(outgoing.message)) peers_.send(now, outgoing.to, std::move(*bytes));
    }
    for (const auto& peer : peers_.take_lookups()) {
      busy = true;
      lookups_[index_.lookup(now, peer)] = peer;
    }
    for (const auto& connect : peers_.take_connects()) {
      busy = true;
      // A punched path or a relay tunnel is on its way: a guess must not replace it.
      if (!traversal_.has_path(connect.key)) secure_.connect(now, connect.key, connect.endpoint);
    }
    for (const auto& received : control_.take_introductions()) {
      busy = true;
      on_introduction_message(now, received.from, received.message);
    }
    for (const auto& send : peers_.take_sends()) {
      busy = true;
      secure_.send(now, send.key, LinkChannel::kControl, send.payload);
    }
    for (const auto& give_up : peers_.take_give_ups()) {
      busy = true;
      on_peer_give_up(now, give_up);
    }
    if (pump_traversal(now)) busy = true;
    if (!busy) break;
  }
  apply_election(now);
  flush_upstream_probes();
  save_contacts_if_changed();
  note_activity(now);
}

void NodeCores::save_contacts_if_changed() {
  if (!control_.requests().take_changed() || config_.profile_dir.empty()) return;
  if (auto error = save_contacts(std::filesystem::path(config_.profile_dir) / kContactsFileName, control_.contacts()))
    log("could not save contacts: " + error->message());
}

void NodeCores::save_host_cache() {
  if (config_.profile_dir.empty()) return;
  if (auto error = koe::save_host_cache(std::filesystem::path(config_.profile_dir) / kHostCacheFileName, host_cache_))
    log("could not save the host cache: " + error->message());
}

void NodeCores::on_timer(TimePoint now) {
  if (secure_.next_timeout() <= now) secure_.on_timer(now);
  if (index_.next_timeout() <= now) index_.on_timer(now);
  if (peers_.next_timeout() <= now) peers_.on_timer(now);
  if (control_.next_timeout() <= now) control_.on_timer(now);
  if (traversal_.next_timeout() <= now) traversal_.on_timer(now);
  upstream_meter_.set_paused(call_.has_value());
  if (upstream_meter_.next_timeout() <= now) upstream_meter_.on_timer(now);
  if (upstream_server_.next_timeout() <= now) upstream_server_.on_timer(now);
  if (now >= next_supernode_check_) {
    // The link with our supernode carries introductions to us: keep it up (its first
    // lookup or handshake may have been lost).
    next_supernode_check_ = now + kSupernodeCheckInterval;
    if (supernode_id_ && index_.attached() && !peers_.is_up(*supernode_id_)) peers_.reach(now, *supernode_id_);
  }
  if (now >= next_contact_sweep_) {
    next_contact_sweep_ = now + kContactSweepInterval;
    for (const auto& contact : control_.contacts().all())
      if (contact.state == ContactState::kAccepted && !peers_.is_up(contact.id)) peers_.reach(now, contact.id);
  }
  if (now >= next_election_sample_) refresh_election(now);
  check_echo_service(now);
  pump(now);
  if (now >= next_publish_) {
    refresh_snapshot(now);
    publish_(state_);
    next_publish_ = kNever;
  }
}

TimePoint NodeCores::next_timeout() const {
  return std::min({next_publish_, next_contact_sweep_, next_supernode_check_, next_election_sample_,
                   election_.next_timeout(), secure_.next_timeout(), index_.next_timeout(),
                   peers_.next_timeout(), control_.next_timeout(), traversal_.next_timeout(),
                   upstream_meter_.next_timeout(), upstream_server_.next_timeout(),
                   call_ && call_->state == CallState::kActive ? clock_.now() + kPublishInterval : kNever});
}

}  // namespace koe
