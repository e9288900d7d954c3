// RelayClient: a node's side of the relays. Ranks relay-capable supernodes by measured
// RTT, allocates sessions (signed with the node's identity) or joins the peer's with a
// ticket, keeps each binding alive (fast liveness checks while it carries a call, sparse
// ones while it stands by), reports a silent relay as dead, and wraps and unwraps the
// frames. Sans-IO (`now` passed in); net thread only; outputs via take_outbox()/take_events().
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "net/env.hpp"
#include "net/identity.hpp"
#include "net/relay_messages.hpp"

namespace koe {

using RelayHandle = uint32_t;  // names one binding in this client; never 0

struct RelayClientConfig {
  Duration retransmit = std::chrono::milliseconds(250);  // allocate, bind and ping retries
  uint32_t max_sends = 8;                                // then the request failed
  uint32_t ping_sends = 3;                               // per relay when ranking
  // A binding that carries the call is checked once nothing came from the relay for
  // active_keepalive, and is dead when that check goes unanswered for dead_after: the
  // call can move to another relay well within 3 s. A standby binding is checked every
  // standby_keepalive (which also holds its NAT mapping), with the same dead_after.
  Duration active_keepalive = std::chrono::milliseconds(500);
  Duration standby_keepalive = std::chrono::seconds(10);
  Duration dead_after = std::chrono::milliseconds(1500);
  // Unix time = now.time_since_epoch() + offset, for allocation timestamps.
  Duration wall_clock_offset{0};
};

enum class RelayBindingState : uint8_t { kAllocating, kBinding, kBound, kDead, kFailed };

struct RelayClientEvent {
  enum class Kind : uint8_t {
    kAllocated,  // our allocation is bound; peer_ticket is for the peer (via signalling)
    kBound,      // a joined binding is usable (also a dead one that came back)
    kFailed,     // an allocation or join got no (or a refusing) answer
    kDead,       // a bound relay went silent or forgot the session
    kData,       // a frame from the peer through this binding
  };
  Kind kind = Kind::kData;
  RelayHandle handle = 0;
  std::optional<RelayTicket> peer_ticket;
  std::optional<RelayRefusal> refusal;
  Bytes payload;
};

struct RankedRelay {
  Endpoint relay;
  Duration rtt{0};
  uint8_t load_percent = 0;
};

class RelayClient {
 public:
  RelayClient(const Identity& identity, Random& random, RelayClientConfig config = {});

  // Pings every relay (with retries); ranked() then lists those that answered.
  void measure(TimePoint now, const std::vector<Endpoint>& relays);
  // Fastest first (ties: less loaded first).
  std::vector<RankedRelay> ranked() const;
  bool measuring() const;

  RelayHandle allocate(TimePoint now, const Endpoint& relay);
  RelayHandle join(TimePoint now, const RelayTicket& ticket);
  // Whether the binding carries the call now (fast liveness) or stands by.
  void set_active(RelayHandle handle, bool active);
  // Wraps `payload` (a sealed datagram, at most kMaxRelayPayload bytes) for the peer.
  bool send(RelayHandle handle, ByteView payload);
  void release(RelayHandle handle);

  static bool owns(wire::PacketType type);
  // Relay answers and frames from a relay we use; false for anything else.
  bool on_datagram(TimePoint now, const Endpoint& from, ByteView bytes);
  void on_timer(TimePoint now);
  TimePoint next_timeout() const;

  std::optional<RelayBindingState> state(RelayHandle handle) const;
  bool usable(RelayHandle handle) const { return state(handle) == RelayBindingState::kBound; }
  std::optional<Endpoint> relay_of(RelayHandle handle) const;
  std::optional<Duration> rtt(RelayHandle handle) const;
  // How long the relay had not heard the peer on its side, as of its last answer to us
  // (nullopt: never heard). A peer that went elsewhere stops refreshing this relay.
  std::optional<Duration> peer_quiet(TimePoint now, RelayHandle handle) const;

  std::vector<OutDatagram> take_outbox() { return std::exchange(outbox_, {}); }
  std::vector<RelayClientEvent> take_events() { return std::exchange(events_, {}); }

 private:
  struct Binding {
    Endpoint relay;
    RelayBindingState state = RelayBindingState::kAllocating;
    bool active = false;
    uint32_t session_id = 0;
    uint8_t side = 0;
    RelayTicketBytes ticket{};
    Bytes request;  // the allocate or bind being (re)sent
    uint64_t nonce = 0;
    uint32_t sends = 0;
    TimePoint next_send = kNever;
    TimePoint last_heard{};
    TimePoint last_sent{};
    // The first keepalive since last_heard: dead when it goes unanswered for dead_after
    // (so a standby that becomes active gets its own chance to answer).
    std::optional<TimePoint> awaiting_since;
    std::optional<Duration> rtt;
    std::optional<TimePoint> peer_heard;  // when the relay last heard the peer
  };
  struct Ping {
    Endpoint relay;
    uint64_t nonce = 0;
    uint32_t sends = 0;
    TimePoint sent{};
    TimePoint next_send = kNever;
    std::optional<Duration> rtt;
    uint8_t load_percent = 0;
  };

  RelayHandle add(Binding binding);
  void send_request(TimePoint now, Binding& b);
  void on_control(TimePoint now, const Endpoint& from, const RelayControl& message);
  void on_frame(TimePoint now, const Endpoint& from, ByteView bytes);
  void mark_heard(TimePoint now, RelayHandle handle, Binding& b);
  void keep_alive(TimePoint now, RelayHandle handle, Binding& b);
  Binding* find(const Endpoint& relay, uint32_t session_id, RelayHandle* handle);
  Bytes bind_request(const Binding& b) const;

  const Identity& identity_;
  Random& random_;
  RelayClientConfig config_;
  std::map<RelayHandle, Binding> bindings_;
  RelayHandle next_handle_ = 1;
  std::vector<Ping> pings_;
  uint64_t last_timestamp_ = 0;
  std::vector<OutDatagram> outbox_;
  std::vector<RelayClientEvent> events_;
};

}  // namespace koe
