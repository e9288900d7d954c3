#include "net/secure_transport.hpp"

#include <algorithm>

namespace koe {

namespace {

// Stalled means no ack for twice the round trip, and at least this long (loopback
// round trips are microseconds; ENet's own scheduling jitter is milliseconds).
constexpr uint32_t kStallFloorMs = 200;
constexpr Duration kPathRefreshInterval = std::chrono::milliseconds(500);
constexpr Duration kPathCheckInterval = std::chrono::milliseconds(250);
constexpr Duration kConfirmInterval = std::chrono::milliseconds(300);

noise::Key key_of(const PublicKey& key) {
  noise::Key out{};
  std::copy(key.begin(), key.end(), out.begin());
  return out;
}

std::span<const uint8_t, 64> secret_of(const Identity& identity) {
  return std::span<const uint8_t, 64>(identity.secret_key().data(), 64);
}

}  // namespace

SecureTransport::SecureTransport(const Identity& identity, DatagramTransport& transport, ENetHost* host,
                                 Random& random, SessionManagerConfig config)
    : transport_(transport),
      sessions_(key_of(identity.public_key()), secret_of(identity), random, std::move(config)),
      links_(host, sessions_) {}

bool SecureTransport::owns(wire::PacketType type) {
  switch (type) {
    case wire::PacketType::kHandshakeInitiation:
    case wire::PacketType::kHandshakeResponse:
    case wire::PacketType::kCookieReply:
    case wire::PacketType::kSessionData:
      return true;
    default:
      return false;
  }
}

bool SecureTransport::connect(TimePoint now, const noise::Key& peer, const Endpoint& endpoint, bool path_opened) {
  if (!sessions_.connect(now, peer, endpoint, path_opened)) return false;
  wanted_links_.insert(peer);
  // A session that is up but whose link is not (ENet's connect timed out, e.g. under
  // heavy loss): open the link again; nothing else would.
  if (sessions_.established(peer) && !links_.is_up(peer)) links_.open(peer);
  after_input(now);
  return true;
}

bool SecureTransport::send(TimePoint now, const noise::Key& peer, LinkChannel channel, ByteView plaintext) {
  const bool sent = links_.send(now, peer, channel, plaintext);
  after_input(now);  // sealing may have started a rekey handshake
  return sent;
}

bool SecureTransport::move_path(TimePoint now, const noise::Key& peer, const Endpoint& endpoint) {
  const bool moved = sessions_.move_path(now, peer, endpoint);
  after_input(now);  // sends the keepalive and moves the ENet peer
  return moved;
}

void SecureTransport::on_datagram(TimePoint now, const Endpoint& from, ByteView bytes) {
  sessions_.on_datagram(now, from, bytes);
  after_input(now);
}

void SecureTransport::on_enet_event(TimePoint now, const ENetEvent& event) {
  links_.on_enet_event(now, event);
  after_input(now);
}

void SecureTransport::on_timer(TimePoint now) {
  if (sessions_.next_timeout() <= now) sessions_.on_timer(now);
  if (now >= next_path_check_) refresh_stalled_paths(now);
  if (now >= next_confirm_) confirm_sessions(now);
  after_input(now);
}

void SecureTransport::confirm_sessions(TimePoint now) {
  next_confirm_ = kNever;
  for (const noise::Key& peer : wanted_links_) {
    if (!needs_confirming(peer)) continue;
    sessions_.send(now, peer, ByteView{});  // an empty payload is a keepalive
    links_.open(peer);  // again, if it failed
    next_confirm_ = now + kConfirmInterval;
  }
}

bool SecureTransport::needs_confirming(const noise::Key& peer) const {
  return sessions_.established(peer) && !(links_.is_up(peer) && sessions_.confirmed_by_peer(peer));
}

void SecureTransport::refresh_stalled_paths(TimePoint now) {
  for (const noise::Key& peer : links_.stalled(kStallFloorMs)) {
    TimePoint& last = last_path_refresh_[peer];
    if (now - last < kPathRefreshInterval) continue;
    last = now;
    sessions_.send(now, peer, ByteView{});  // an empty payload is a keepalive
  }
  std::erase_if(last_path_refresh_, [&](const auto& entry) { return !links_.is_up(entry.first); });
  next_path_check_ = links_.up_count() > 0 ? now + kPathCheckInterval : kNever;
}

void SecureTransport::after_input(TimePoint now) {
  // Links exist: watch them for stalls (cheap; the loop wakes for ENet anyway).
  if (next_path_check_ == kNever && links_.up_count() > 0) next_path_check_ = TimePoint{};
  for (const OutDatagram& out : sessions_.take_outbox()) transport_.send(out.to, out.bytes);
  for (const SessionEvent& event : sessions_.take_events()) {
    if (event.kind != SessionEvent::Kind::kEstablished && event.kind != SessionEvent::Kind::kRekeyed) continue;
    links_.expect(event.peer);
    if (wanted_links_.contains(event.peer) && !links_.is_up(event.peer)) links_.open(event.peer);
  }
  links_.follow_session_endpoints();
  links_.settle_held_connections();
  if (next_confirm_ == kNever)
    for (const noise::Key& peer : wanted_links_)
      if (needs_confirming(peer)) next_confirm_ = now + kConfirmInterval;
}

DropCounters SecureTransport::drops() const {
  DropCounters total = sessions_.drops();
  total.merge(links_.drops());
  return total;
}

}  // namespace koe
