#include "net/enet_links.hpp"

#include <algorithm>

#include "net/udp_host.hpp"

namespace koe {

namespace {

LinkEvent link_event(LinkEvent::Kind kind, const noise::Key& peer) {
  return LinkEvent{kind, peer, LinkChannel::kControl, {}};
}

bool same_address(const ENetAddress& a, const ENetAddress& b) { return a.host == b.host && a.port == b.port; }

}  // namespace

EnetLinks::EnetLinks(ENetHost* host, SessionManager& sessions) : host_(host), sessions_(sessions) {}

bool EnetLinks::keep_outgoing(const noise::Key& peer) const { return sessions_.identity() < peer; }

std::optional<noise::Key> EnetLinks::owner_of(const ENetPeer* enet_peer) const {
  for (const auto& [key, link] : links_)
    if (enet_peer != nullptr && link.peer == enet_peer) return key;
  return std::nullopt;
}

std::optional<noise::Key> EnetLinks::peer_at(const ENetAddress& address) const {
  const Endpoint from = endpoint_from_enet(address);
  for (const auto& [key, link] : links_)
    if (sessions_.established(key) && sessions_.peer_endpoint(key) == from) return key;
  return std::nullopt;
}

void EnetLinks::expect(const noise::Key& peer) { links_.try_emplace(peer); }

bool EnetLinks::open(const noise::Key& peer) {
  const auto endpoint = sessions_.peer_endpoint(peer);
  if (!sessions_.established(peer) || !endpoint) return false;
  Link& link = links_[peer];
  if (link.peer != nullptr) return true;  // already connecting or up
  ENetAddress address = enet_from_endpoint(*endpoint);
  link.peer = enet_host_connect(host_, &address, kLinkChannelCount, 0);
  link.outgoing = true;
  if (link.peer == nullptr) return false;
  link.peer->roundTripTime = kConnectRoundTripGuessMs;
  return true;
}

void EnetLinks::close(const noise::Key& peer) {
  const auto it = links_.find(peer);
  if (it == links_.end()) return;
  if (it->second.peer != nullptr) enet_peer_disconnect(it->second.peer, 0);
  // The DISCONNECT event reports kDown; until then sends fail.
  it->second.up = false;
}

bool EnetLinks::is_up(const noise::Key& peer) const {
  const auto it = links_.find(peer);
  return it != links_.end() && it->second.up;
}

bool EnetLinks::send(TimePoint now, const noise::Key& peer, LinkChannel channel, ByteView plaintext) {
  const auto it = links_.find(peer);
  if (it == links_.end() || !it->second.up) return false;
  auto frame = sessions_.seal_frame(now, peer, plaintext);
  if (!frame) return false;
  const uint32_t flags =
      channel == LinkChannel::kControl ? ENET_PACKET_FLAG_RELIABLE : ENET_PACKET_FLAG_UNSEQUENCED;
  ENetPacket* packet = enet_packet_create(frame->data(), frame->size(), flags);
  if (packet == nullptr) return false;
  if (enet_peer_send(it->second.peer, static_cast<uint8_t>(channel), packet) != 0) {
    enet_packet_destroy(packet);
    return false;
  }
  ++stats_.sealed_sent;
  return true;
}

void EnetLinks::on_enet_event(TimePoint now, const ENetEvent& event) {
  switch (event.type) {
    case ENET_EVENT_TYPE_CONNECT:
      return on_connect(event.peer);
    case ENET_EVENT_TYPE_DISCONNECT:
      return on_disconnect(event.peer);
    case ENET_EVENT_TYPE_RECEIVE:
      return on_receive(now, event);
    case ENET_EVENT_TYPE_NONE:
      return;
  }
}

void EnetLinks::on_connect(ENetPeer* enet_peer) {
  // ENet pings an idle peer every 500 ms by default: 4 datagrams a second with the
  // acks, for a client that only keeps its supernode. Calls and presence carry
  // their own liveness checks; this ping holds NAT mappings (which live 30 s or
  // more) and lets a dead link time out.
  enet_peer_ping_interval(enet_peer, kIdlePingIntervalMs);
  if (const auto key = owner_of(enet_peer)) {  // our own outgoing connection completed
    Link& link = links_[*key];
    link.up = true;
    events_.push_back(link_event(LinkEvent::Kind::kUp, *key));
    return;
  }
  // An incoming connection: it must come from the authenticated endpoint of a
  // peer whose session is established.
  const std::optional<noise::Key> key = peer_at(enet_peer->address);
  if (!key) {
    const auto unconfirmed = sessions_.awaiting_confirmation_at(endpoint_from_enet(enet_peer->address));
    if (unconfirmed && links_[*unconfirmed].peer == nullptr) {
      links_[*unconfirmed] = Link{enet_peer, false, false, true};
      ++stats_.connections_held;
      return;
    }
    ++stats_.unknown_connections_refused;
    enet_peer_disconnect_now(enet_peer, 0);
    return;
  }
  Link& link = links_[*key];
  if (link.peer != nullptr && link.peer != enet_peer) {
    // Both sides connected at once: keep exactly the connection opened by the lower key.
    ++stats_.duplicate_connections_closed;
    if (keep_outgoing(*key)) {
      enet_peer_disconnect_now(enet_peer, 0);
      return;
    }
    ENetPeer* ours = link.peer;
    const bool was_up = link.up;
    link = Link{enet_peer, false, true};
    enet_peer_reset(ours);  // silently: the peer drops its twin by the same rule
    if (!was_up) events_.push_back(link_event(LinkEvent::Kind::kUp, *key));
    return;
  }
  link = Link{enet_peer, false, true};
  events_.push_back(link_event(LinkEvent::Kind::kUp, *key));
}

void EnetLinks::on_disconnect(ENetPeer* enet_peer) {
  const auto key = owner_of(enet_peer);
  if (!key) return;  // a refused or tie-broken connection
  const bool held = links_[*key].held;
  links_[*key] = Link{};  // the session may bring the link up again
  if (!held) events_.push_back(link_event(LinkEvent::Kind::kDown, *key));
}

void EnetLinks::on_receive(TimePoint now, const ENetEvent& event) {
  const auto key = owner_of(event.peer);
  if (!key || event.channelID >= kLinkChannelCount) {
    drops_.add(DropReason::kUnknownSession);
    return;
  }
  auto plaintext = sessions_.open_frame(now, *key, ByteView(event.packet->data, event.packet->dataLength));
  if (!plaintext) return;  // counted by the session manager by reason
  ++stats_.opened;
  if (Link& link = links_[*key]; link.held) settle(*key, link);  // that packet confirmed it
  events_.push_back({LinkEvent::Kind::kMessage, *key, static_cast<LinkChannel>(event.channelID),
                     std::move(*plaintext)});
}

void EnetLinks::follow_session_endpoints() {
  for (auto& [key, link] : links_) {
    const auto endpoint = sessions_.peer_endpoint(key);
    if (link.peer == nullptr || !endpoint) continue;
    const ENetAddress address = enet_from_endpoint(*endpoint);
    if (same_address(address, link.peer->address)) continue;
    link.peer->address = address;
    ++stats_.address_updates;
  }
}

void EnetLinks::settle(const noise::Key& key, Link& link) {
  if (sessions_.established(key) && sessions_.peer_endpoint(key) == endpoint_from_enet(link.peer->address)) {
    link.held = false;
    link.up = true;
    events_.push_back(link_event(LinkEvent::Kind::kUp, key));
  } else if (!sessions_.awaiting_confirmation(key)) {
    ++stats_.held_connections_dropped;
    enet_peer_disconnect_now(link.peer, 0);
    link = Link{};
  }
}

void EnetLinks::settle_held_connections() {
  for (auto& [key, link] : links_)
    if (link.held) settle(key, link);
}

size_t EnetLinks::up_count() const {
  return static_cast<size_t>(std::count_if(links_.begin(), links_.end(), [](const auto& l) { return l.second.up; }));
}

std::vector<noise::Key> EnetLinks::stalled(uint32_t floor_ms) const {
  std::vector<noise::Key> out;
  for (const auto& [key, link] : links_) {
    if (!link.up || link.peer == nullptr || enet_list_empty(&link.peer->sentReliableCommands)) continue;
    const auto* oldest = reinterpret_cast<const ENetOutgoingCommand*>(enet_list_front(&link.peer->sentReliableCommands));
    const uint32_t waited = host_->serviceTime - oldest->sentTime;
    if (waited > std::max<uint32_t>(floor_ms, 2 * link.peer->roundTripTime)) out.push_back(key);
  }
  return out;
}

}  // namespace koe
