// SecureTransport: secure sessions (SessionManager) plus the ENet links over
// them (EnetLinks) as one core a node's event loop drives: routes our session
// datagrams, sends the outbox through the shared socket, opens the ENet link once
// a handshake completes, and follows roaming peers. Net thread only.
#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "net/enet_links.hpp"
#include "net/identity.hpp"
#include "net/session_manager.hpp"
#include "net/wire.hpp"

namespace koe {

class SecureTransport {
 public:
  SecureTransport(const Identity& identity, DatagramTransport& transport, ENetHost* host, Random& random,
                  SessionManagerConfig config = {});

  // Handshakes with `peer` (its identity key) at `endpoint`, then opens the ENet
  // link; the other side may do the same at once. false for an unusable key.
  bool connect(TimePoint now, const noise::Key& peer, const Endpoint& endpoint, bool path_opened = false);
  bool send(TimePoint now, const noise::Key& peer, LinkChannel channel, ByteView plaintext);
  // Moves an established peer's session and link to `endpoint` (see
  // SessionManager::move_path); the peer follows on our first authenticated datagram.
  bool move_path(TimePoint now, const noise::Key& peer, const Endpoint& endpoint);
  bool is_up(const noise::Key& peer) const { return links_.is_up(peer); }

  // True for the packet types this core owns.
  static bool owns(wire::PacketType type);
  void on_datagram(TimePoint now, const Endpoint& from, ByteView bytes);
  void on_enet_event(TimePoint now, const ENetEvent& event);
  void on_timer(TimePoint now);
  TimePoint next_timeout() const { return std::min({sessions_.next_timeout(), next_path_check_, next_confirm_}); }

  std::vector<LinkEvent> take_events() { return links_.take_events(); }
  const SessionManager& sessions() const { return sessions_; }
  const EnetLinks& links() const { return links_; }
  // Drops by reason across the session layer and the links.
  DropCounters drops() const;

 private:
  void after_input(TimePoint now);
  // A link that stalls sends an authenticated session keepalive from wherever we are
  // now, so a peer whose view of our address went stale (a NAT rebinding) follows us
  // (as QUIC's path validation does); ENet's own datagrams cannot prove who sent them.
  void refresh_stalled_paths(TimePoint now);
  // The responder uses a new session only once it hears from us on it, and holds our
  // ENet connection until then: until the peer has spoken on the new keys (it answers
  // the confirmation) keep confirming (the one keepalive sent on the handshake's
  // completion may be lost) and reopen a link that failed.
  void confirm_sessions(TimePoint now);
  bool needs_confirming(const noise::Key& peer) const;

  DatagramTransport& transport_;
  SessionManager sessions_;
  EnetLinks links_;
  std::set<noise::Key> wanted_links_;  // peers we connect() to: we open their link
  TimePoint next_path_check_ = kNever;
  std::map<noise::Key, TimePoint> last_path_refresh_;
  TimePoint next_confirm_ = kNever;
};

}  // namespace koe
