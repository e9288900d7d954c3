#include "net/punch_plan.hpp"

#include <algorithm>
#include <unordered_set>

namespace koe {

namespace {

constexpr uint32_t kLowestGuessPort = 1024;  // NATs do not hand out well-known ports

std::vector<uint32_t> public_ips(const PunchOffer& offer) {
  std::vector<uint32_t> ips;
  for (const Candidate& c : offer.candidates) {
    if (c.kind == CandidateKind::kReflexive || offer.nat.mapping == NatMapping::kNone) ips.push_back(c.endpoint.ip);
  }
  return ips;
}

const Candidate* reflexive_of(const PunchOffer& offer) {
  for (const Candidate& c : offer.candidates) {
    if (c.kind == CandidateKind::kReflexive) return &c;
  }
  return nullptr;
}

void add_predictions(PunchPlan& plan, const PunchOffer& theirs, uint32_t peer_ip, uint32_t window) {
  for (uint32_t k = 1; k <= window; ++k) {
    const int32_t port = int32_t{theirs.nat.last_port} + int32_t{theirs.nat.port_step} * static_cast<int32_t>(k);
    if (port < static_cast<int32_t>(kLowestGuessPort) || port > 65535) break;
    plan.guesses.push_back({{peer_ip, static_cast<uint16_t>(port)}, PunchPathKind::kPredicted});
  }
  plan.cycle_guesses = true;
}

void add_random_guesses(PunchPlan& plan, uint32_t peer_ip, uint32_t count, Random& random) {
  std::unordered_set<uint16_t> used;
  const uint32_t span = 65536 - kLowestGuessPort;
  while (used.size() < count) {
    const auto port = static_cast<uint16_t>(kLowestGuessPort + random.uniform(span));
    if (used.insert(port).second) plan.guesses.push_back({{peer_ip, port}, PunchPathKind::kPredicted});
  }
}

void add_spray_probes(PunchPlan& plan, const Endpoint& peer_reflexive, uint32_t sockets) {
  for (uint32_t k = 1; k <= sockets && k <= 65535; ++k)
    plan.guesses.push_back({peer_reflexive, PunchPathKind::kPredicted, static_cast<uint16_t>(k)});
  plan.spray_sockets = static_cast<uint32_t>(plan.guesses.size());
}

// Basic probes every round would take a fifth of a birthday attempt's budget.
constexpr uint32_t kBasicEveryRoundsWhenGuessing = 5;

}  // namespace

PunchPlan make_punch_plan(const PunchOffer& ours, const PunchOffer& theirs, Random& random,
                          const PunchPlanLimits& limits) {
  PunchPlan plan;
  const auto our_ips = public_ips(ours);
  const auto their_ips = public_ips(theirs);
  const bool same_nat = std::any_of(their_ips.begin(), their_ips.end(), [&](uint32_t ip) {
    return std::find(our_ips.begin(), our_ips.end(), ip) != our_ips.end();
  });
  const bool we_dependent = ours.nat.mapping == NatMapping::kEndpointDependent;
  const bool they_dependent = theirs.nat.mapping == NatMapping::kEndpointDependent;
  plan.peer_reachable = is_reachable(theirs.nat);
  plan.we_are_reachable = is_reachable(ours.nat);
  plan.lan_first = same_nat;

  std::vector<PunchTarget> lan, reflexive;
  for (const Candidate& c : theirs.candidates) {
    if (c.endpoint.is_loopback()) continue;
    if (c.kind == CandidateKind::kLan && theirs.nat.mapping != NatMapping::kNone) {
      lan.push_back({c.endpoint, PunchPathKind::kLan});
    } else if (!they_dependent) {
      // An endpoint-dependent peer's reflexive endpoint is its mapping towards its
      // supernode, whose filter admits nobody else: useless to probe.
      reflexive.push_back({c.endpoint, PunchPathKind::kReflexive});
    }
  }
  // LAN probes to another network leave through our NAT; an endpoint-dependent NAT
  // would spend a port on each and spoil the peer's prediction of ours.
  if (!same_nat && we_dependent) lan.clear();
  plan.basic = same_nat ? lan : reflexive;
  const auto& second = same_nat ? reflexive : lan;
  plan.basic.insert(plan.basic.end(), second.begin(), second.end());

  const Candidate* their_reflexive = reflexive_of(theirs);
  if (they_dependent && their_reflexive && !same_nat) {
    if (is_predictable(theirs.nat)) {
      // Also when we are endpoint-dependent ourselves: if both sides walk their
      // predictions in the same order, mapping k on one side meets mapping k on the other.
      add_predictions(plan, theirs, their_reflexive->endpoint.ip, limits.prediction_window);
    } else if (!we_dependent) {
      // Our half of the birthday: the peer sprays from many sockets (see spray_sockets).
      add_random_guesses(plan, their_reflexive->endpoint.ip, limits.random_guesses, random);
      plan.basic_every_rounds = kBasicEveryRoundsWhenGuessing;
    }
  }
  const Candidate* our_reflexive = reflexive_of(ours);
  if (we_dependent && !is_predictable(ours.nat) && !they_dependent && !plan.peer_reachable && our_reflexive &&
      their_reflexive && !same_nat) {
    // The other half: our NAT's next mappings cannot be predicted, the peer's can
    // (one port for everyone) but its filter admits only whom it sent to.
    add_spray_probes(plan, their_reflexive->endpoint, limits.spray_sockets);
    plan.basic_every_rounds = kBasicEveryRoundsWhenGuessing;
  }
  plan.hopeless = plan.basic.empty() && plan.guesses.empty();
  // Both endpoint-dependent and unpredictable: only a shared LAN could still work.
  if (we_dependent && they_dependent && plan.guesses.empty() && !same_nat) plan.hopeless = true;
  return plan;
}

std::string_view to_string(PunchPathKind kind) {
  switch (kind) {
    case PunchPathKind::kLan: return "lan";
    case PunchPathKind::kReflexive: return "reflexive";
    case PunchPathKind::kPredicted: return "predicted";
    case PunchPathKind::kPeerReflexive: return "peer_reflexive";
  }
  return "unknown";
}

}  // namespace koe
