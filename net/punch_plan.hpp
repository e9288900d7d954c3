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

// The node's shared socket; spray sockets (birthday punching) are numbered from 1.
inline constexpr uint16_t kSharedSocket = 0;

struct PunchTarget {
  Endpoint to;
  PunchPathKind kind = PunchPathKind::kReflexive;
  uint16_t socket = kSharedSocket;  // which of our sockets the probe leaves from
  friend bool operator==(const PunchTarget&, const PunchTarget&) = default;
};

struct PunchPlanLimits {
  uint32_t prediction_window = 16;  // ports after the peer's last port, revisited in turn
  uint32_t random_guesses = 256;    // distinct random ports for an unpredictable peer
  uint32_t spray_sockets = 256;     // extra sockets of the unpredictable side (birthday)
};

struct PunchPlan {
  // Probed every round, in this order. Two sides behind one NAT try LAN first.
  std::vector<PunchTarget> basic;
  // Guessed ports of an endpoint-dependent peer, probed under the attempt's budget:
  // predictions are cycled through (an early guess may arrive before the peer's NAT
  // made the mapping), random guesses are sent once each.
  std::vector<PunchTarget> guesses;
  bool cycle_guesses = false;
  // Birthday punching (Tailscale's approach): we are the unpredictable endpoint-
  // dependent side and the peer maps endpoint-independently but filters, so we open
  // this many extra sockets for the attempt, each probing the peer's reflexive
  // endpoint once (one more random mapping on our NAT each), while the peer probes
  // as many random ports of ours. N×M/64512 expected hits: a 256×256 attempt
  // succeeds about 63% of the time, and the next attempt's fresh sockets also meet
  // the filter holes the peer's earlier guesses left open. The guesses hold the
  // spray probes (target.socket 1..spray_sockets).
  uint32_t spray_sockets = 0;
  // Basic targets are probed every this many rounds: every round normally; sparingly
  // when the attempt's budget is better spent on guesses.
  uint32_t basic_every_rounds = 1;
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
