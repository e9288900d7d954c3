// PunchPlan: which endpoints a hole-punch attempt probes, in what order, decided from
// both sides' offers (candidates and NAT profiles). Pure functions over plain values
// (the Random only draws guessed ports); any thread.
#pragma once

#include <cstdint>
#include <vector>

#include "net/env.hpp"
#include "net/punch_messages.hpp"

namespace koe {

enum class PunchPathKind : uint8_t {
  kLan,            // the peer's own interface address (same NAT, or same LAN)
  kReflexive,      // the peer's public endpoint as its supernode saw it
  kPredicted,      // a guessed port of an endpoint-dependent NAT (predicted or random)
  kPeerReflexive,  // where the peer's own probe came from
};

struct PunchTarget {
  Endpoint to;
  PunchPathKind kind = PunchPathKind::kReflexive;
  friend bool operator==(const PunchTarget&, const PunchTarget&) = default;
};

struct PunchPlanLimits {
  uint32_t prediction_window = 16;  // ports after the peer's last port, revisited in turn
  uint32_t random_guesses = 256;    // distinct random ports for an unpredictable peer
};

struct PunchPlan {
  // Probed every round, in this order. Two sides behind one NAT try LAN first.
  std::vector<PunchTarget> basic;
  // Guessed ports of an endpoint-dependent peer, probed under the attempt's budget:
  // predictions are cycled through (an early guess may arrive before the peer's NAT
  // made the mapping), random guesses are sent once each.
  std::vector<PunchTarget> guesses;
  bool cycle_guesses = false;
  bool lan_first = false;  // same public address: LAN round one round ahead
  // Nothing here has a real chance (both sides endpoint-dependent, not predictable):
  // the caller should go to a relay at once.
  bool hopeless = false;
  // Connection reversal: the peer is reachable by anyone (no NAT or a full cone) and
  // we are not, so we connect to it at once with no start timing; or the other way
  // round, we are reachable and the peer's probes will simply arrive.
  bool peer_reachable = false;
  bool we_are_reachable = false;
};

PunchPlan make_punch_plan(const PunchOffer& ours, const PunchOffer& theirs, Random& random,
                          const PunchPlanLimits& limits = {});

std::string_view to_string(PunchPathKind kind);

}  // namespace koe
