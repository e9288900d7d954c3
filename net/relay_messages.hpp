// Relay messages (owner of wire::PacketType::kRelayControl and kRelayFrame) and the
// relay ticket a caller hands its peer through signalling. A relay forwards frames
// between the two bound sides of a session; it never holds the peers' session keys.
// Plain values and pure functions (sans-IO); any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "net/bytes.hpp"
#include "net/decode_result.hpp"
#include "net/endpoint.hpp"
#include "net/identity.hpp"
#include "net/wire.hpp"

namespace koe {

inline constexpr size_t kRelayTicketSize = 16;
using RelayTicketBytes = std::array<uint8_t, kRelayTicketSize>;

// --- kRelayControl: a kind byte after the common header, then the kind's fields.

enum class RelayControlKind : uint8_t {
  kPing = 1,       // node -> relay: are you there, how far (RTT) and how busy?
  kPong = 2,       // relay -> node
  kAllocate = 3,   // node -> relay: a session for a call, signed by the node's identity
  kAllocated = 4,  // relay -> node: the session id and one ticket per side
  kRefused = 5,    // relay -> node: no session (quota, busy, stale request)
  kBind = 6,       // node -> relay: this side of the session is at my source endpoint
  kBound = 7,      // relay -> node: done; and how long since the other side was heard
  kUnbound = 8,    // relay -> node: no such session (expired, or the relay restarted)
  kRelease = 9,    // node -> relay: the call is over (no answer)
};

enum class RelayRefusal : uint8_t {
  kBusy = 1,              // the relay's session quota is full
  kIdentityQuota = 2,     // this identity holds its maximum of sessions
  kStaleRequest = 3,      // timestamp outside the window or not newer than the last
  kBadSignature = 4,
};

struct RelayPing {
  uint64_t nonce = 0;
  friend bool operator==(const RelayPing&, const RelayPing&) = default;
};
struct RelayPong {
  uint64_t nonce = 0;
  uint8_t load_percent = 0;  // sessions in use over the session quota, 0..100
  friend bool operator==(const RelayPong&, const RelayPong&) = default;
};
// Signed: Ed25519 over "koe relay allocate v1" || the relay's endpoint || every field
// before the signature, so a request cannot be replayed to another relay.
struct RelayAllocate {
  uint64_t nonce = 0;
  uint64_t timestamp_us = 0;  // the node's wall clock; strictly increasing per identity
  PublicKey requester{};
  Signature signature{};
  friend bool operator==(const RelayAllocate&, const RelayAllocate&) = default;
};
struct RelayAllocated {
  uint64_t nonce = 0;
  uint32_t session_id = 0;
  uint16_t idle_timeout_s = 0;  // the session ends after this long without traffic (never by age)
  RelayTicketBytes tickets[2]{};  // side 0: the allocator; side 1: its peer
  friend bool operator==(const RelayAllocated&, const RelayAllocated&) = default;
};
struct RelayRefused {
  uint64_t nonce = 0;
  RelayRefusal reason = RelayRefusal::kBusy;
  friend bool operator==(const RelayRefused&, const RelayRefused&) = default;
};
struct RelayBind {
  uint32_t session_id = 0;
  uint8_t side = 0;  // 0 or 1
  RelayTicketBytes ticket{};
  friend bool operator==(const RelayBind&, const RelayBind&) = default;
};
inline constexpr uint32_t kRelayPeerNeverHeard = 0xFFFFFFFF;
struct RelayBound {
  uint32_t session_id = 0;
  uint8_t side = 0;
  uint32_t peer_idle_ms = kRelayPeerNeverHeard;  // since the relay last heard the other side
  friend bool operator==(const RelayBound&, const RelayBound&) = default;
};
struct RelayUnbound {
  uint32_t session_id = 0;
  uint8_t side = 0;
  friend bool operator==(const RelayUnbound&, const RelayUnbound&) = default;
};
struct RelayRelease {
  uint32_t session_id = 0;
  uint8_t side = 0;
  RelayTicketBytes ticket{};
  friend bool operator==(const RelayRelease&, const RelayRelease&) = default;
};

using RelayControl = std::variant<RelayPing, RelayPong, RelayAllocate, RelayAllocated, RelayRefused, RelayBind,
                                  RelayBound, RelayUnbound, RelayRelease>;

Bytes encode_relay_control(const RelayControl& message);
// Whole datagram; exactly one message of a known kind with valid field values.
Decoded<RelayControl> decode_relay_control(ByteView datagram);

// The bytes an allocate's signature covers (`relay` is where it is sent).
Bytes relay_allocate_signed_bytes(const Endpoint& relay, const RelayAllocate& allocate);
RelayAllocate sign_relay_allocate(const Identity& identity, const Endpoint& relay, uint64_t nonce,
                                  uint64_t timestamp_us);
bool relay_allocate_signature_valid(const Endpoint& relay, const RelayAllocate& allocate);

// --- kRelayFrame: session id u32, then the payload (a peer's sealed datagram), as-is
// in both directions: the relay only picks the destination.

inline constexpr size_t kRelayFrameOverhead = wire::kHeaderSize + 4;
inline constexpr size_t kMaxRelayPayload = wire::kMaxDatagramSize - kRelayFrameOverhead;

struct RelayFrame {
  uint32_t session_id = 0;
  ByteView payload;  // points into the decoded datagram; 1..kMaxRelayPayload bytes
};

// nullopt when the payload is empty or longer than kMaxRelayPayload.
std::optional<Bytes> encode_relay_frame(uint32_t session_id, ByteView payload);
Decoded<RelayFrame> decode_relay_frame(ByteView datagram);

// --- The ticket a caller gives its peer (through signalling) to join a session.

struct RelayTicket {
  Endpoint relay;
  uint32_t session_id = 0;
  uint8_t side = 1;
  RelayTicketBytes ticket{};
  friend bool operator==(const RelayTicket&, const RelayTicket&) = default;
};

inline constexpr size_t kMaxRelayTickets = 4;
// count u8, then per ticket: relay ip u32, port u16, session id u32, side u8, ticket 16.
// nullopt for more than kMaxRelayTickets or a relay at 0.0.0.0 / port 0.
std::optional<Bytes> encode_relay_tickets(const std::vector<RelayTicket>& tickets);
Decoded<std::vector<RelayTicket>> decode_relay_tickets(ByteView bytes);

}  // namespace koe
