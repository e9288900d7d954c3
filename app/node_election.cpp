// NodeCores' supernode election glue (net thread): measured facts and load reports in,
// promotion, graceful handover and demotion out (docs/election.md).
#include <algorithm>
#include <cstdio>

#include "app/node_cores.hpp"

namespace koe {

namespace {

// How often CPU headroom is sampled and the election's inputs refreshed.
constexpr Duration kElectionSampleInterval = std::chrono::seconds(10);
// Supernodes a supernode names to its NAT probe server as partners.
constexpr size_t kMaxProbePartners = 4;
// Weight of each new CPU sample (every 10 s): a time constant of about 50 s.
constexpr double kCpuSmoothing = 0.2;
// A client whose reachability could not be tested asks again this often.
constexpr Duration kFilteringRetest = std::chrono::minutes(2);

const char* describe(ElectionReason reason) {
  switch (reason) {
    case ElectionReason::kLoadHigh:
      return "the supernodes we know are busy";
    case ElectionReason::kLoadLow:
      return "the supernodes we know are idle";
    case ElectionReason::kBootstrap:
      return "no supernode known";
    case ElectionReason::kConsentAlways:
      return "asked to always serve";
    case ElectionReason::kConsentNever:
      return "asked never to serve";
    case ElectionReason::kNotEligible:
      return "no longer able to serve";
    case ElectionReason::kHandoverDone:
      return "clients handed over";
  }
  return "";
}

}  // namespace

ElectionConsent election_consent(SupernodeMode mode) {
  switch (mode) {
    case SupernodeMode::kAlways:
      return ElectionConsent::kAlways;
    case SupernodeMode::kDisabled:
      return ElectionConsent::kDisabled;
    case SupernodeMode::kAuto:
      break;
  }
  return ElectionConsent::kAuto;
}

// Upstream bandwidth is measured with packet trains (net/upstream_meter) to the
// supernode we attach to, or, serving, to another supernode. Until a result is in, a
// client has none and a supernode is taken to have enough (like CPU headroom below);
// the last supernode of a network always does.
//
// A client must prove it is reachable: a partner supernode it never sent to got a probe
// through (the NAT discovery's filtering test) and the address is public or mapped
// endpoint-independently. A supernode keeps serving until a measurement says it is not
// reachable (its clients reaching it are the evidence); one the user asked to always
// serve is taken at its word.
//
// CPU headroom is smoothed over about a minute, so one busy moment moves nobody. A
// supernode counts as having headroom until measured, and always while its overlay
// knows no other supernode: the last one of a network serves it, busy or not.
ElectionFacts NodeCores::election_facts() const {
  ElectionFacts facts;
  facts.online_since = started_;
  const bool last_supernode = index_.is_supernode() && index_.known_supernodes(1).empty();
  const double assumed_kbps = index_.is_supernode() ? config_.election.min_upstream_kbps : 0.0;
  facts.upstream_kbps = upstream_meter_.kbps().value_or(assumed_kbps);
  if (last_supernode) facts.upstream_kbps = std::max(facts.upstream_kbps, config_.election.min_upstream_kbps);
  facts.cpu_headroom = last_supernode ? 1.0 : cpu_headroom_.value_or(index_.is_supernode() ? 1.0 : 0.0);
  NatProfile nat;
  if (const NatDiscovery* discovery = traversal_.discovery()) nat = discovery->profile();
  const bool open_mapping = nat.mapping == NatMapping::kNone || nat.mapping == NatMapping::kEndpointIndependent;
  if (!index_.is_supernode()) {
    facts.reachable_confirmed = nat.filtering == NatFiltering::kEndpointIndependent;
    facts.public_or_independent = facts.reachable_confirmed && open_mapping;
  } else if (config_.supernode_mode == SupernodeMode::kAlways) {
    facts.reachable_confirmed = facts.public_or_independent = true;
  } else {
    facts.reachable_confirmed = true;
    facts.public_or_independent =
        nat.mapping != NatMapping::kEndpointDependent && nat.filtering != NatFiltering::kDependent;
  }
  return facts;
}

void NodeCores::update_offer(TimePoint now) {
  election_.set_facts(now, election_facts());
  // After the facts: caps alone, on the first call, would judge a node with no facts yet.
  election_.set_caps(now, config_.volunteer_caps);
  SupernodeLoad offer = election_.capacity();
  offer.relay_sessions = static_cast<uint32_t>(traversal_.relay_sessions());
  index_.set_offer(offer);
}

void NodeCores::refresh_election(TimePoint now) {
  next_election_sample_ = now + kElectionSampleInterval;
  if (const auto headroom = cpu_.sample())
    cpu_headroom_ = cpu_headroom_ ? *cpu_headroom_ + kCpuSmoothing * (*headroom - *cpu_headroom_) : *headroom;
  aim_upstream_meter(now);
  update_offer(now);
  // Empty unless we serve: a demoted node stops naming partners.
  const std::vector<Endpoint> others = index_.known_supernodes(kMaxProbePartners);
  traversal_.set_probe_partners(others);
  if (index_.is_supernode()) {
    // A supernode's view is its own load and the recent loads of the supernodes it
    // pinged; alone in its overlay it has nobody to hand over to, so no view at all.
    std::vector<SupernodeLoad> view;
    if (!others.empty()) {
      view = index_.peer_loads(now);
      view.insert(view.begin(), index_.load());
    }
    election_.on_load_reports(now, view);
  } else {
    index_.set_eligible(election_.eligible(now));
    traversal_.retest_filtering(now, kFilteringRetest);
  }
  apply_election(now);
}

void NodeCores::on_upstream_probe(TimePoint now, const Endpoint& from, ByteView bytes, wire::PacketType type) {
  if (type == wire::PacketType::kUpstreamTrain) {
    upstream_server_.on_datagram(now, from, bytes);
    return;
  }
  const uint64_t reports = upstream_meter_.counters().reports;
  upstream_meter_.on_datagram(now, from, bytes);
  if (upstream_meter_.counters().reports == reports) return;
  char line[128];
  std::snprintf(line, sizeof line, "upstream measured: %.1f Mbit/s (best of the recent trains: %.1f Mbit/s)",
                upstream_meter_.last_kbps().value_or(0) / 1000, upstream_meter_.kbps().value_or(0) / 1000);
  log(line);
  update_offer(now);
}

// Trains go to our supernode, or, serving, to another supernode; never during a call,
// where a train would queue ahead of the voice on a slow uplink.
void NodeCores::aim_upstream_meter(TimePoint now) {
  std::optional<Endpoint> target;
  if (!index_.is_supernode()) {
    if (const auto supernode = index_.supernode(); supernode && index_.attached()) target = supernode->endpoint;
  } else if (const auto others = index_.known_supernodes(1); !others.empty()) {
    target = others.front();
  }
  upstream_meter_.set_target(now, target);
}

void NodeCores::flush_upstream_probes() {
  for (const auto& out : upstream_meter_.take_outbox()) transport_.send(out.to, out.bytes);
  for (const auto& out : upstream_server_.take_outbox()) transport_.send(out.to, out.bytes);
}

void NodeCores::on_load_report(TimePoint now, const LoadReportEvent& report) {
  if (index_.is_supernode()) return;  // our own index's answer to our own client
  const SupernodeLoad known[] = {report.load};
  election_.on_load_reports(now, known);
  apply_election(now);
}

void NodeCores::apply_election(TimePoint now) {
  if (election_.draining()) election_.on_handover_progress(now, index_.handover_done() ? 0 : 1);
  if (election_.next_timeout() <= now) election_.on_timer(now);
  while (const auto event = election_.poll_event()) {
    switch (event->action) {
      case ElectionAction::kPromote:
        log(std::string("promoted to supernode: ") + describe(event->reason));
        index_.promote(now);
        traversal_.set_serving(true);
        supernode_id_.reset();
        state_.role = NodeRole::kSupernode;
        break;
      case ElectionAction::kStartHandover:
        log(std::string("handing clients over: ") + describe(event->reason));
        index_.begin_handover(now);
        break;
      case ElectionAction::kDemote:
        log("serving as client again: " + std::to_string(index_.handover_clients_left()) + " clients not handed over");
        index_.demote(now);
        traversal_.set_serving(false);
        state_.role = NodeRole::kClient;
        break;
    }
  }
}

}  // namespace koe
