// EnetLinks: the ENet connection between two nodes that share a secure session
// (SessionManager): one per peer, a reliable control channel and an unsequenced
// voice channel, every payload sealed with the session's keys. When both sides
// connect at once ENet makes two connections; both sides keep the one opened by
// the lower identity key. Net thread only; ENetHost and SessionManager outlive it.
#pragma once

#include <enet/enet.h>

#include <map>
#include <optional>
#include <vector>

#include "net/drop_counters.hpp"
#include "net/session_manager.hpp"

namespace koe {

enum class LinkChannel : uint8_t {
  kControl = 0,  // reliable, ordered: signalling, presence, reports
  kVoice = 1,    // unsequenced, unreliable: voice frames carry their own sequence numbers
};
inline constexpr size_t kLinkChannelCount = 2;

struct LinkEvent {
  enum class Kind : uint8_t { kUp, kDown, kMessage };
  Kind kind;
  noise::Key peer;
  LinkChannel channel = LinkChannel::kControl;  // kMessage only
  Bytes data;                                   // kMessage only: the opened plaintext
};

// How often ENet pings a link with nothing else to send (ms).
inline constexpr uint32_t kIdlePingIntervalMs = 5000;
// ENet's round-trip estimate for a link it is connecting. ENet starts from 500 ms, so a
// lost CONNECT waits 0.5 s, then 1 s, then 2 s; the session handshake has just crossed the
// same path, so a lost one is retried after 0.1 s instead (doubling as before). A slower
// path costs a duplicate CONNECT or two, which ENet discards; its estimate follows the
// measured round trips from the first acknowledgement on.
inline constexpr uint32_t kConnectRoundTripGuessMs = 100;

struct LinkStats {
  uint64_t sealed_sent = 0;
  uint64_t opened = 0;
  uint64_t duplicate_connections_closed = 0;  // simultaneous-connect tie-breaks
  uint64_t unknown_connections_refused = 0;   // no established session at that address
  uint64_t connections_held = 0;  // came before the session's confirmation; held, not refused
  uint64_t held_connections_dropped = 0;  // their session was never confirmed
  uint64_t address_updates = 0;               // roaming, from authenticated session traffic
};

class EnetLinks {
 public:
  EnetLinks(ENetHost* host, SessionManager& sessions);

  // Accept an incoming link from `peer` (call when its session is established).
  void expect(const noise::Key& peer);
  // Opens the link to `peer`, whose session must be established; both sides may
  // call this at once. false when there is no session or ENet has no free peer.
  bool open(const noise::Key& peer);
  void close(const noise::Key& peer);
  bool is_up(const noise::Key& peer) const;
  size_t up_count() const;

  // Seals and queues `plaintext`; false when the link is down or the session
  // cannot seal yet (a handshake is then under way).
  bool send(TimePoint now, const noise::Key& peer, LinkChannel channel, ByteView plaintext);

  // From the event loop: every ENet event of the host.
  void on_enet_event(TimePoint now, const ENetEvent& event);
  // Moves a link to the endpoint its session last authenticated (roaming).
  void follow_session_endpoints();
  // Brings up held connections whose session is now confirmed and drops those whose
  // handshake is gone. Call after the session manager took input.
  void settle_held_connections();
  // Links whose oldest unacknowledged reliable command (ENet's pings included) has
  // waited longer than twice the round trip (at least `floor_ms`): the path may have
  // changed under us, e.g. our NAT rebound to a new port.
  std::vector<noise::Key> stalled(uint32_t floor_ms) const;

  std::vector<LinkEvent> take_events() { return std::exchange(events_, {}); }
  const LinkStats& stats() const { return stats_; }
  const DropCounters& drops() const { return drops_; }

 private:
  struct Link {
    ENetPeer* peer = nullptr;  // null: expected, not connected
    bool outgoing = false;  // we called enet_host_connect
    bool up = false;
    // An incoming connection from the endpoint of a handshake we answered, held until
    // the initiator's first packet on the new keys confirms the session: refusing it
    // would tear down a link the initiator already counts as up.
    bool held = false;
  };

  void on_connect(ENetPeer* enet_peer);
  void settle(const noise::Key& key, Link& link);
  void on_disconnect(ENetPeer* enet_peer);
  void on_receive(TimePoint now, const ENetEvent& event);
  std::optional<noise::Key> peer_at(const ENetAddress& address) const;
  std::optional<noise::Key> owner_of(const ENetPeer* enet_peer) const;
  // The tie-break: the connection opened by the lower identity key survives.
  bool keep_outgoing(const noise::Key& peer) const;

  ENetHost* host_;
  SessionManager& sessions_;
  std::map<noise::Key, Link> links_;
  std::vector<LinkEvent> events_;
  LinkStats stats_;
  DropCounters drops_;
};

}  // namespace koe
