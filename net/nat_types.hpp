// NAT vocabulary shared by discovery, hole punching and the candidate exchange: what a
// node learnt about its NAT (RFC 4787 mapping and filtering) and its address candidates.
// Plain value types and pure functions; any thread.
#pragma once

#include <cstdint>
#include <string_view>

#include "net/endpoint.hpp"

namespace koe {

// RFC 4787 section 4.1, as far as probes from two supernodes can tell.
enum class NatMapping : uint8_t {
  kUnknown = 0,              // fewer than two supernodes answered
  kNone = 1,                 // the reflexive endpoint is our own: no NAT in the way
  kEndpointIndependent = 2,  // the same reflexive endpoint towards every server
  kEndpointDependent = 3,    // address- or address-and-port-dependent ("symmetric")
};

// RFC 4787 section 5, from one test: a partner supernode we never sent to probes us.
enum class NatFiltering : uint8_t {
  kUnknown = 0,              // not tested, or the test was inconclusive
  kEndpointIndependent = 1,  // the stranger's probe came through ("full cone")
  kDependent = 2,            // it did not: address-dependent or stricter
};

// How an endpoint-dependent NAT picks the port of each new mapping.
enum class PortAllocation : uint8_t {
  kUnknown = 0,
  kSequential = 1,  // new mappings step by a small constant: predictable
  kRandom = 2,      // no usable pattern (Linux `masquerade fully-random`)
};

struct NatProfile {
  NatMapping mapping = NatMapping::kUnknown;
  NatFiltering filtering = NatFiltering::kUnknown;
  PortAllocation allocation = PortAllocation::kUnknown;
  // For kSequential: the step between consecutive new mappings (may be negative)
  // and the external port of the newest mapping seen, where prediction starts.
  int16_t port_step = 0;
  uint16_t last_port = 0;

  friend bool operator==(const NatProfile&, const NatProfile&) = default;
};

// Reachable from anyone who knows the reflexive endpoint (no NAT, or a full cone):
// such a side needs no punch timing, the other side simply connects to it.
inline bool is_reachable(const NatProfile& p) {
  return p.mapping == NatMapping::kNone ||
         (p.mapping == NatMapping::kEndpointIndependent &&
          p.filtering == NatFiltering::kEndpointIndependent);
}

// A new mapping's port can be guessed (prediction applies).
inline bool is_predictable(const NatProfile& p) {
  return p.mapping == NatMapping::kEndpointDependent && p.allocation == PortAllocation::kSequential &&
         p.port_step != 0;
}

enum class CandidateKind : uint8_t {
  kLan = 1,        // an address of the node's own interface (maybe private)
  kReflexive = 2,  // the public endpoint a supernode observed
};

struct Candidate {
  CandidateKind kind = CandidateKind::kReflexive;
  Endpoint endpoint;
  friend bool operator==(const Candidate&, const Candidate&) = default;
};

// Stable lowercase names for logs, reports and the UI.
std::string_view to_string(NatMapping mapping);
std::string_view to_string(NatFiltering filtering);
std::string_view to_string(PortAllocation allocation);
std::string_view to_string(CandidateKind kind);

}  // namespace koe
