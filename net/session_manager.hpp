// SessionManager: a node's secure sessions behind one sans-IO core. It owns the
// node's static key, the index table, the cookie checker and the per-source
// rate limiter, checks every handshake datagram cheaply (size, mac1, cookie under
// load, rate) before any DH, routes the rest to the right PeerSession, and counts
// every drop. Net thread only; outputs are collected with take_outbox/take_events.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "net/cookie.hpp"
#include "net/drop_counters.hpp"
#include "net/handshake.hpp"
#include "net/peer_session.hpp"
#include "net/rate_limiter.hpp"
#include "net/session_index_table.hpp"
#include "net/session_limits.hpp"

namespace koe {

struct SessionManagerConfig {
  SessionLimits limits;
  RateLimiterConfig handshake_rate;  // per source IP, for initiations and responses
  // Unix time = now.time_since_epoch() + offset; the driver sets it once from the
  // wall clock (initiation timestamps must grow across restarts).
  Duration wall_clock_offset{0};
  // Handshake messages per second (node-wide) from which cookies are demanded,
  // besides set_under_load().
  uint32_t load_threshold = 200;
  size_t max_peers = 1024;
};

class SessionManager {
 public:
  // `identity_secret` is libsodium's 64-byte Ed25519 secret key of
  // `identity_public`. Throws std::invalid_argument if they do not form a pair.
  SessionManager(const noise::Key& identity_public, std::span<const uint8_t, 64> identity_secret,
                 Random& random, SessionManagerConfig config = {});

  // Starts a session with `peer` (its Ed25519 public key) at `endpoint`: a
  // handshake unless keys already exist (then the endpoint learnt from the peer's
  // authenticated packets is kept). false for an unusable key or a full table.
  // `path_opened`: a path to `endpoint` has just been proven (hole punching), so an
  // initiation goes out now rather than at the pending one's backed-off retransmission.
  bool connect(TimePoint now, const noise::Key& peer, const Endpoint& endpoint, bool path_opened = false);

  // One of our datagrams of type kHandshakeInitiation, kHandshakeResponse,
  // kCookieReply or kSessionData (others are counted as malformed).
  // Sends to an established peer at `endpoint` from now on (a path found by hole
  // punching, or a relay), with an authenticated keepalive so the peer follows us
  // there; false unless the session is established.
  bool move_path(TimePoint now, const noise::Key& peer, const Endpoint& endpoint);

  void on_datagram(TimePoint now, const Endpoint& from, ByteView datagram);
  void on_timer(TimePoint now);
  TimePoint next_timeout() const;

  // Sends `plaintext` to a connected peer in a kSessionData datagram (queued
  // while its handshake runs). false if the peer is unknown, has no endpoint or
  // the plaintext exceeds kMaxSessionPayload. An empty plaintext is a keepalive.
  bool send(TimePoint now, const noise::Key& peer, ByteView plaintext);
  // ENet framing (a sealed frame per ENet payload); see PeerSession.
  std::optional<Bytes> seal_frame(TimePoint now, const noise::Key& peer, ByteView plaintext);
  std::optional<Bytes> open_frame(TimePoint now, const noise::Key& peer, ByteView frame);

  // The caller's load signal (e.g. its receive queue is long): demand cookies.
  void set_under_load(bool under_load) { forced_load_ = under_load; }
  bool under_load() const;

  std::vector<OutDatagram> take_outbox() { return std::exchange(outbox_, {}); }
  std::vector<SessionEvent> take_events() { return std::exchange(events_, {}); }
  const DropCounters& drops() const { return drops_; }
  bool established(const noise::Key& peer) const;
  // See PeerSession::confirmed_by_peer.
  bool confirmed_by_peer(const noise::Key& peer) const;
  // The peer whose handshake we answered from `from` and whose first packet on the
  // new keys has not come yet (its ENet connection may overtake that packet).
  std::optional<noise::Key> awaiting_confirmation_at(const Endpoint& from) const;
  bool awaiting_confirmation(const noise::Key& peer) const;
  std::optional<Endpoint> peer_endpoint(const noise::Key& peer) const;
  size_t peer_count() const { return peers_.size(); }
  const noise::Key& identity() const { return local_.identity_public; }

 private:
  void on_initiation(TimePoint now, const Endpoint& from, ByteView datagram);
  void on_response(TimePoint now, const Endpoint& from, ByteView datagram);
  void on_cookie_reply(TimePoint now, ByteView datagram);
  void on_session_data(TimePoint now, const Endpoint& from, ByteView datagram);
  // The cheap gate in front of every DH: mac1, then (under load) mac2 or a cookie
  // reply, then the source's rate limit. Counts the drop when it says no.
  bool admit_handshake(TimePoint now, const Endpoint& from, ByteView datagram,
                       uint32_t sender_index);
  void note_handshake_load(TimePoint now);
  PeerSession* find(const noise::Key& peer) const;
  PeerSession* find_or_create(const noise::Key& peer);

  LocalStatic local_;
  Random& random_;
  SessionManagerConfig config_;
  SessionIndexTable indices_;
  CookieChecker cookie_checker_;
  RateLimiter rate_limiter_;
  DropCounters drops_;
  std::vector<OutDatagram> outbox_;
  std::vector<SessionEvent> events_;
  SessionContext context_;
  std::map<noise::Key, std::unique_ptr<PeerSession>> peers_;

  bool forced_load_ = false;
  TimePoint load_window_start_{};
  uint32_t load_this_second_ = 0;
  uint32_t load_last_second_ = 0;
};

}  // namespace koe
