#include "net/session_manager.hpp"

#include <algorithm>
#include <stdexcept>

namespace koe {

namespace {

LocalStatic local_static_or_throw(const noise::Key& identity_public,
                                  std::span<const uint8_t, 64> identity_secret) {
  auto local = LocalStatic::from_identity(identity_public, identity_secret);
  if (!local) throw std::invalid_argument("identity keys do not form an Ed25519 key pair");
  return *local;
}

}  // namespace

SessionManager::SessionManager(const noise::Key& identity_public,
                               std::span<const uint8_t, 64> identity_secret, Random& random,
                               SessionManagerConfig config)
    : local_(local_static_or_throw(identity_public, identity_secret)),
      random_(random),
      config_(config),
      indices_(random),
      cookie_checker_(identity_public),
      rate_limiter_(config.handshake_rate),
      context_{local_,   random_, config_.limits, config_.wall_clock_offset,
               indices_, outbox_, events_,        drops_} {}

bool SessionManager::connect(TimePoint now, const noise::Key& peer, const Endpoint& endpoint, bool path_opened) {
  if (!dh_public_from_identity(peer)) return false;
  PeerSession* session = find_or_create(peer);
  if (!session) return false;
  if (session->established()) return true;  // its authenticated endpoint stands
  const bool moved = session->endpoint() != endpoint;
  session->set_endpoint_hint(endpoint);
  if (moved || path_opened) {
    session->restart_handshake(now);  // not after the pending one's retransmit timeout
  } else {
    session->start_handshake(now);
  }
  return true;
}

bool SessionManager::move_path(TimePoint now, const noise::Key& peer, const Endpoint& endpoint) {
  PeerSession* session = find(peer);
  if (!session || !session->established()) return false;
  session->set_endpoint_hint(endpoint);
  return send(now, peer, ByteView{});  // an empty payload is a keepalive
}

void SessionManager::on_datagram(TimePoint now, const Endpoint& from, ByteView datagram) {
  const auto packet = wire::decode_header(datagram);
  if (!packet) return drops_.add(DropReason::kMalformed);
  switch (packet->type) {
    case wire::PacketType::kHandshakeInitiation: return on_initiation(now, from, datagram);
    case wire::PacketType::kHandshakeResponse: return on_response(now, from, datagram);
    case wire::PacketType::kCookieReply: return on_cookie_reply(now, datagram);
    case wire::PacketType::kSessionData: return on_session_data(now, from, datagram);
    default: return drops_.add(DropReason::kMalformed);
  }
}

void SessionManager::note_handshake_load(TimePoint now) {
  constexpr Duration kWindow = std::chrono::seconds(1);
  if (now - load_window_start_ >= kWindow) {
    load_last_second_ = now - load_window_start_ < 2 * kWindow ? load_this_second_ : 0;
    load_this_second_ = 0;
    load_window_start_ = now;
  }
  ++load_this_second_;
}

bool SessionManager::under_load() const {
  return forced_load_ || std::max(load_this_second_, load_last_second_) >= config_.load_threshold;
}

bool SessionManager::admit_handshake(TimePoint now, const Endpoint& from, ByteView datagram,
                                     uint32_t sender_index) {
  if (!cookie_checker_.check_mac1(datagram)) {
    drops_.add(DropReason::kBadMac);
    return false;
  }
  note_handshake_load(now);
  if (under_load() && !cookie_checker_.check_mac2(datagram, from, now)) {
    // Stateless retry: a cookie reply is smaller than what it answers (no
    // amplification) and costs no DH.
    const CookieReply reply =
        cookie_checker_.make_reply(datagram, sender_index, from, now, random_);
    outbox_.push_back(OutDatagram{from, encode(reply)});
    drops_.add(DropReason::kCookieRequired);
    return false;
  }
  if (!rate_limiter_.allow(now, from.ip)) {
    drops_.add(DropReason::kRateLimited);
    return false;
  }
  return true;
}

void SessionManager::on_initiation(TimePoint now, const Endpoint& from, ByteView datagram) {
  const auto message = decode_handshake_initiation(datagram);
  if (!message) return drops_.add(DropReason::kMalformed);
  if (!admit_handshake(now, from, datagram, message->sender_index)) return;
  const auto handshake = ResponderHandshake::consume(local_, *message);
  if (!handshake) return drops_.add(handshake.error());
  PeerSession* session = find_or_create(handshake->peer_identity());
  if (!session) return drops_.add(DropReason::kPeerTableFull);
  session->on_initiation(now, from, *handshake);
}

void SessionManager::on_response(TimePoint now, const Endpoint& from, ByteView datagram) {
  const auto message = decode_handshake_response(datagram);
  if (!message) return drops_.add(DropReason::kMalformed);
  if (!admit_handshake(now, from, datagram, message->sender_index)) return;
  PeerSession* session = indices_.find(message->receiver_index);
  if (!session) return drops_.add(DropReason::kUnknownSession);
  session->on_response(now, from, *message);
}

void SessionManager::on_cookie_reply(TimePoint now, ByteView datagram) {
  const auto message = decode_cookie_reply(datagram);
  if (!message) return drops_.add(DropReason::kMalformed);
  PeerSession* session = indices_.find(message->receiver_index);
  if (!session) return drops_.add(DropReason::kUnknownSession);
  session->on_cookie_reply(now, *message);
}

void SessionManager::on_session_data(TimePoint now, const Endpoint& from, ByteView datagram) {
  const auto message = decode_session_data(datagram);
  if (!message) return drops_.add(DropReason::kMalformed);
  PeerSession* session = indices_.find(message->receiver_index);
  if (!session) return drops_.add(DropReason::kUnknownSession);
  const auto frame = decode_sealed_frame(message->sealed_frame);
  if (!frame) return drops_.add(DropReason::kMalformed);
  session->on_data(now, from, message->receiver_index, *frame);
}

void SessionManager::on_timer(TimePoint now) {
  for (auto& [key, session] : peers_) {
    if (session->next_timeout() <= now) session->on_timer(now);
  }
}

TimePoint SessionManager::next_timeout() const {
  TimePoint earliest = kNever;
  for (const auto& [key, session] : peers_) earliest = std::min(earliest, session->next_timeout());
  return earliest;
}

bool SessionManager::send(TimePoint now, const noise::Key& peer, ByteView plaintext) {
  PeerSession* session = find(peer);
  return session && session->send(now, plaintext);
}

std::optional<Bytes> SessionManager::seal_frame(TimePoint now, const noise::Key& peer,
                                                ByteView plaintext) {
  PeerSession* session = find(peer);
  if (!session) return std::nullopt;
  return session->seal_frame(now, plaintext);
}

std::optional<Bytes> SessionManager::open_frame(TimePoint now, const noise::Key& peer,
                                                ByteView frame) {
  PeerSession* session = find(peer);
  if (!session) {
    drops_.add(DropReason::kUnknownSession);
    return std::nullopt;
  }
  return session->open_frame(now, frame);
}

bool SessionManager::established(const noise::Key& peer) const {
  const PeerSession* session = find(peer);
  return session && session->established();
}

bool SessionManager::confirmed_by_peer(const noise::Key& peer) const {
  const PeerSession* session = find(peer);
  return session && session->confirmed_by_peer();
}

std::optional<noise::Key> SessionManager::awaiting_confirmation_at(const Endpoint& from) const {
  for (const auto& [key, session] : peers_)
    if (session->awaiting_confirmation() && session->endpoint() == from) return key;
  return std::nullopt;
}

bool SessionManager::awaiting_confirmation(const noise::Key& peer) const {
  const PeerSession* session = find(peer);
  return session && session->awaiting_confirmation();
}

std::optional<Endpoint> SessionManager::peer_endpoint(const noise::Key& peer) const {
  const PeerSession* session = find(peer);
  return session ? session->endpoint() : std::nullopt;
}

PeerSession* SessionManager::find(const noise::Key& peer) const {
  const auto it = peers_.find(peer);
  return it == peers_.end() ? nullptr : it->second.get();
}

PeerSession* SessionManager::find_or_create(const noise::Key& peer) {
  if (PeerSession* session = find(peer)) return session;
  if (peers_.size() >= config_.max_peers) {
    // Make room by forgetting a peer that holds no keys and no handshake.
    const auto idle = std::find_if(peers_.begin(), peers_.end(),
                                   [](const auto& entry) { return entry.second->idle(); });
    if (idle == peers_.end()) return nullptr;
    peers_.erase(idle);
  }
  return peers_.emplace(peer, std::make_unique<PeerSession>(context_, peer)).first->second.get();
}

}  // namespace koe
