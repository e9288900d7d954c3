// What the simulated network reports: why datagrams were dropped, one trace event per
// send/forward/deliver/drop, running counters, and a hasher that folds a trace into 64 bits.
// Plain values; used on the simulation's single thread.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string_view>

#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "net/endpoint.hpp"

namespace koe::sim {

// A host or a NAT in the simulated topology.
using NodeId = uint32_t;

enum class DropReason : uint8_t {
  kRandomLoss,         // the link's independent loss probability
  kBurstLoss,          // the link's Gilbert-Elliott chain
  kMtu,                // larger than the link's MTU
  kQueueFull,          // the link's bandwidth queue would wait longer than allowed
  kTooLarge,           // larger than any UDP datagram (65,507 bytes)
  kNoRoute,            // no host or NAT owns the destination address
  kPortUnreachable,    // the destination host has no socket on that port
  kNatNoMapping,       // inbound to a NAT port with no live mapping
  kNatFiltered,        // the NAT's filtering refused the sender
  kNatHairpinOff,      // inside host sent to the NAT's own public address
  kNatPortsExhausted,  // the NAT found no free external port
};
inline constexpr size_t kDropReasonCount = static_cast<size_t>(DropReason::kNatPortsExhausted) + 1;

std::string_view drop_reason_name(DropReason reason);

enum class TraceKind : uint8_t {
  kSend,     // a socket handed a datagram to the network
  kForward,  // a NAT translated and passed a datagram on
  kDeliver,  // a socket's receiver was called
  kDrop,     // the datagram (or one copy of it) is gone; see reason
};

struct TraceEvent {
  TraceKind kind;
  TimePoint at;
  NodeId node;    // sender for kSend, the NAT for kForward, receiver or dropping hop otherwise
  Endpoint from;  // source as seen at this point (after any NAT rewriting)
  Endpoint to;
  ByteView bytes;                               // valid only during the callback
  DropReason reason = DropReason::kRandomLoss;  // meaningful for kDrop only
};

using TraceFn = std::function<void(const TraceEvent&)>;

struct SimStats {
  uint64_t sent = 0;        // datagrams sockets handed to the network
  uint64_t delivered = 0;   // datagrams (copies included) handed to receivers
  uint64_t forwarded = 0;   // NAT translations
  uint64_t duplicated = 0;  // extra copies links created
  uint64_t reordered = 0;   // datagrams links held back so later ones overtake them
  std::array<uint64_t, kDropReasonCount> dropped{};

  uint64_t dropped_for(DropReason reason) const { return dropped[static_cast<size_t>(reason)]; }
  uint64_t total_dropped() const;
};

// FNV-1a over every field of every event, payload bytes included: two runs with the
// same seed must give the same value.
class TraceHasher {
 public:
  void add(const TraceEvent& event);
  uint64_t value() const { return hash_; }
  uint64_t events() const { return events_; }

 private:
  void mix(uint64_t v);
  uint64_t hash_ = 0xcbf29ce484222325ULL;
  uint64_t events_ = 0;
};

}  // namespace koe::sim
