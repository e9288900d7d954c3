// Traversal: how this node gets through NATs to its peers (docs/nat-traversal.md).
// It learns its reflexive endpoint and NAT behaviour from supernodes (NatDiscovery),
// serves NAT probes and relay sessions when it is a supernode, and for each peer runs
// one attempt: punch offers exchanged as sealed introductions through the peer's
// supernode, HolePunch on the shared socket, a relay session when punching has not
// worked within about a second, and background punching that moves a relayed link onto
// the direct path. The node carries a relayed link through a LoopbackTunnel it opens on
// request; a link punched through one of birthday punching's spray sockets goes
// through such a tunnel too, its egress that socket instead of the relay. Sans-IO (`now` passed in); net thread; borrows the identity and random source.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/introduction.hpp"
#include "index/presence_record.hpp"
#include "net/route_selector.hpp"
#include "net/hole_punch.hpp"
#include "net/identity.hpp"
#include "net/nat_discovery.hpp"
#include "net/nat_probe_server.hpp"
#include "net/rate_limiter.hpp"
#include "net/relay_client.hpp"
#include "net/relay_server.hpp"

namespace koe {

struct TraversalConfig {
  bool serve = false;  // a supernode from the start: relays for others (set_serving changes it)
  Endpoint self;       // our endpoint as others reach it (a relay's allocations name it)
  std::vector<Endpoint> local_addresses;  // our interface endpoints (LAN candidates)
  Duration wall_clock_offset{0};          // Unix time = now + offset
  // An attempt whose link never came up is dropped after this.
  Duration attempt_lifetime = std::chrono::seconds(30);
  // After a relayed link moved to the direct path, the relay stays this long so what
  // is still in flight through it arrives (make-before-break).
  Duration relay_linger = std::chrono::seconds(3);
  // A birthday hit while the link is still coming up through a relay moves it once the
  // peer is heard over it, or after this long if it is not up by then.
  Duration carrier_deferral = std::chrono::seconds(3);
  // A call placed while our NAT discovery still runs waits this long at most for it.
  Duration offer_wait = std::chrono::seconds(2);
  // An offer without an answer is sent again (the supernode may not have had a link
  // with the peer yet, or a node on the way restarted), this often, this many times.
  Duration offer_resend = std::chrono::seconds(1);
  uint32_t max_offers = 5;
  size_t max_attempts = 32;
  size_t relays_per_attempt = 2;  // the primary and a standby for fail-over
  RateLimiterConfig introductions{.per_second = 20, .burst = 20, .max_sources = 4096};
};

// Ask `supernode` to pass `sealed` (an Introduce) on to `target`.
struct TraversalIntroduce {
  NodeId supernode;
  NodeId target;
  Bytes sealed;
};
// Start a session with `key` at `endpoint` (move: the session exists, move its path).
struct TraversalConnect {
  PublicKey key{};
  Endpoint endpoint;
  bool move = false;
};
// Open (or close) the LoopbackTunnel standing in for `key` while relayed.
struct TraversalTunnel {
  PublicKey key{};
  bool open = true;
};
// Birthday punching's extra sockets for `key` (docs/nat-traversal.md): open `count`
// fresh ones as `generation` (replacing any older set), keep only `socket` (it punched
// through and now carries the link), or close them all.
struct TraversalSpray {
  enum class Action : uint8_t { kOpen, kKeep, kClose };
  PublicKey key{};
  Action action = Action::kOpen;
  uint32_t generation = 0;
  uint32_t count = 0;
  uint16_t socket = 0;
};
// Send `bytes` to `to` from `key`'s spray socket `socket`.
struct TraversalSpraySend {
  PublicKey key{};
  uint16_t socket = 0;
  Endpoint to;
  Bytes bytes;
};
// Hand `datagram` to `key`'s tunnel: the relay (or a spray socket carrying the link)
// brought it from the peer.
struct TraversalDelivery {
  PublicKey key{};
  Bytes datagram;
};

// How a peer's link goes, for the UI and statistics.
enum class TraversalPath : uint8_t { kNone, kPunching, kDirect, kRelay };
std::string_view to_string(TraversalPath path);

struct TraversalCounters {
  uint64_t attempts = 0;
  uint64_t punched = 0;            // attempts that found a direct path
  uint64_t relayed = 0;            // links that went up through a relay
  uint64_t moved_to_direct = 0;    // relayed links moved onto a punched path
  uint64_t birthday_punched = 0;   // of `punched`: through a spray socket
  uint64_t spray_dropped = 0;      // datagrams on spray sockets that were not for us
  uint64_t introductions_refused = 0;  // could not be opened, or unexpected
  uint64_t forwards_refused = 0;   // Introduce for a node we cannot reach, or over the rate
};

// The index record's coarse class for a measured profile.
NatClass nat_class_of(const NatProfile& profile);
// One line for the user: "endpoint-independent mapping, dependent filtering; public 203.0.113.7:40000".
std::string describe_nat(const NatProfile& profile, const std::optional<Endpoint>& reflexive);

class Traversal {
 public:
  Traversal(const Identity& identity, Random& random, TraversalConfig config);
  ~Traversal();

  static bool owns(wire::PacketType type);
  void on_datagram(TimePoint now, const Endpoint& from, ByteView bytes);
  void on_timer(TimePoint now);
  TimePoint next_timeout() const;

  // Supernodes we know, the one we attach to first: probed to learn our NAT and ranked
  // by RTT as relays. A changed list starts a new discovery run.
  void set_supernodes(TimePoint now, std::vector<Endpoint> supernodes);

  // Starts an attempt to reach the owner of `record` through its supernode, unless one
  // runs or the record names no supernode to go through.
  void reach(TimePoint now, const PresenceRecord& record);
  // An introduction for us, passed on by the supernode `via`.
  void on_introduction(TimePoint now, const NodeId& via, ByteView sealed);
  // A supernode's gate for passing an Introduce on: the sender's rate.
  bool allow_forward(TimePoint now, const NodeId& from);
  void count_refused_forward() { ++counters_.forwards_refused; }

  void on_tunnel_opened(TimePoint now, const PublicKey& key, const Endpoint& tunnel);
  // What our socket sent into `key`'s tunnel: out through the spray socket carrying
  // the link, or wrapped for the relay.
  void send_through_tunnel(const PublicKey& key, ByteView datagram);
  // The node opened `opened` spray sockets of `generation` for `key` (maybe fewer than asked).
  void on_spray_opened(TimePoint now, const PublicKey& key, uint32_t generation, uint32_t opened);
  // A datagram arrived on `key`'s spray socket `socket`.
  void on_spray_datagram(TimePoint now, const PublicKey& key, uint16_t socket, const Endpoint& from, ByteView bytes);
  void on_link_up(TimePoint now, const PublicKey& key, std::optional<Endpoint> endpoint);
  // A message from `key` arrived over its link.
  void on_peer_message(TimePoint now, const PublicKey& key);
  void on_link_down(const PublicKey& key);

  // Becoming a supernode starts relaying for others; ceasing ends the relay sessions
  // we serve (their callers fail over to another relay).
  void set_serving(bool serve);
  // Supernodes our index knows besides those of set_supernodes: our NAT probe server
  // asks them to probe nodes that test their filtering (and so their reachability).
  void set_probe_partners(std::vector<Endpoint> partners);
  // Runs the NAT discovery again when the last run could not tell our filtering (our
  // supernode had no partner to probe us then), at most once per `interval`.
  void retest_filtering(TimePoint now, Duration interval);

  const NatDiscovery* discovery() const { return discovery_.get(); }
  TraversalPath path(const PublicKey& key) const;
  // A punched path or a relay tunnel is being set up or used for `key`: other guesses
  // at its endpoint must not replace it.
  bool has_path(const PublicKey& key) const;
  // The NAT discovery's results since the last call.
  std::vector<NatDiscoveryEvent> take_nat_events() { return std::exchange(nat_events_, {}); }
  std::optional<Endpoint> relay_of(const PublicKey& key) const;
  // The link with `key` goes through a spray socket that birthday punching opened.
  bool carried_by_spray_socket(const PublicKey& key) const;
  size_t relay_sessions() const { return relay_server_ ? relay_server_->session_count() : 0; }
  const TraversalCounters& counters() const { return counters_; }

  std::vector<OutDatagram> take_outbox() { return std::exchange(outbox_, {}); }
  std::vector<TraversalIntroduce> take_introduces() { return std::exchange(introduces_, {}); }
  std::vector<TraversalConnect> take_connects() { return std::exchange(connects_, {}); }
  std::vector<TraversalTunnel> take_tunnels() { return std::exchange(tunnels_, {}); }
  std::vector<TraversalDelivery> take_deliveries() { return std::exchange(deliveries_, {}); }
  std::vector<TraversalSpray> take_sprays() { return std::exchange(sprays_, {}); }
  std::vector<TraversalSpraySend> take_spray_sends() { return std::exchange(spray_sends_, {}); }
  // Peers whose record should be looked up again (their supernode may have changed).
  std::vector<NodeId> take_lookups() { return std::exchange(lookups_, {}); }

 private:
  struct Attempt;

  uint64_t unix_now(TimePoint now) const;
  PunchOffer make_offer();
  void send_offer_when_ready(TimePoint now, Attempt& attempt);
  void introduce(TimePoint now, Attempt& attempt, IntroductionKind kind, std::vector<RelayTicket> tickets = {});
  // The caller's relay tickets to the callee (again every offer_resend, max_offers times).
  void send_tickets(TimePoint now, Attempt& attempt, std::vector<RelayTicket> tickets);
  void start_punch(TimePoint now, Attempt& attempt, const PunchOffer& theirs);
  void on_punch_event(TimePoint now, Attempt& attempt, const HolePunchEvent& event);
  void allocate_relays(TimePoint now, Attempt& attempt);
  void on_relay_event(TimePoint now, RelayClientEvent& event);
  void open_tunnel(Attempt& attempt);
  void request_spray(Attempt& attempt);
  void on_carrier_found(TimePoint now, Attempt& attempt, const PunchResult& result);
  void activate_carrier(TimePoint now, Attempt& attempt);
  void release(Attempt& attempt);
  Attempt* find(const PublicKey& key);
  const Attempt* find(const PublicKey& key) const;
  Attempt* owner_of(RelayHandle handle);
  void collect(TimePoint now);
  void update_probe_partners();

  const Identity& identity_;
  Random& random_;
  TraversalConfig config_;
  std::vector<Endpoint> supernodes_;
  std::vector<Endpoint> extra_partners_;  // set_probe_partners
  TimePoint last_filtering_retest_{};
  std::unique_ptr<NatDiscovery> discovery_;
  NatProbeServer probe_server_;
  std::unique_ptr<RelayServer> relay_server_;  // supernodes only
  RelayClient relay_client_;
  RateLimiter forward_limiter_;
  std::map<PublicKey, std::unique_ptr<Attempt>> attempts_;
  TraversalCounters counters_;

  std::vector<OutDatagram> outbox_;
  std::vector<TraversalIntroduce> introduces_;
  std::vector<TraversalConnect> connects_;
  std::vector<TraversalTunnel> tunnels_;
  std::vector<TraversalDelivery> deliveries_;
  std::vector<TraversalSpray> sprays_;
  std::vector<TraversalSpraySend> spray_sends_;
  // One attempt at a time sprays (256 sockets each); others punch without.
  std::optional<PublicKey> spraying_;
  std::vector<NatDiscoveryEvent> nat_events_;
  std::vector<NodeId> lookups_;
};

}  // namespace koe
