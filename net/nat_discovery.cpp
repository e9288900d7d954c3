#include "net/nat_discovery.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "net/filter_probe.hpp"
#include "net/probe.hpp"

namespace koe {

namespace {

std::string seconds_text(Duration d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", static_cast<double>(d.count()) / 1e6);
  return text;
}

}  // namespace

NatDiscovery::NatDiscovery(Random& random, NatDiscoveryConfig config)
    : random_(random), config_(std::move(config)) {
  config_.max_sends = std::max<uint32_t>(config_.max_sends, 1);
}

void NatDiscovery::start(TimePoint now) {
  state_ = NatDiscoveryState::kProbing;
  probes_.clear();
  for (const Endpoint& server : config_.servers) {
    probes_.push_back(Probe{server, random_.next_u64(), 0, now, std::nullopt, false});
  }
  filter_ = FilterTest{};
  if (!config_.servers.empty()) {
    filter_ = FilterTest{random_.next_u64(), 0, now, now + config_.filter_wait, std::nullopt, false};
  }
  keepalive_.reset();
  next_run_ = kNever;
  send_due(now);
  if (run_finished(now)) finish_run(now);
}

std::vector<Candidate> NatDiscovery::candidates() const {
  std::vector<Candidate> out;
  for (const Endpoint& local : config_.local_addresses) {
    if (local.ip != 0 && local.port != 0 && !local.is_loopback()) out.push_back({CandidateKind::kLan, local});
  }
  if (reflexive_ && std::none_of(out.begin(), out.end(), [&](const Candidate& c) { return c.endpoint == *reflexive_; })) {
    out.push_back({CandidateKind::kReflexive, *reflexive_});
  }
  return out;
}

void NatDiscovery::send_due(TimePoint now) {
  // Server order is mapping order: an endpoint-dependent NAT allocates one mapping
  // per server at its first probe, which is what port-step detection relies on.
  for (Probe& p : probes_) {
    if (!p.reflexive && p.next_send <= now) {
      if (p.sends < config_.max_sends) {
        outbox_.push_back({p.server, encode_probe_request(ProbeRequest{p.nonce})});
        ++p.sends;
        p.next_send = now + config_.retransmit;
      } else {
        p.silent = true;  // given up one retransmit interval after its last probe
        p.next_send = kNever;
      }
    }
    if (&p == &probes_.front() && !filter_.result && filter_.sends < config_.filter_sends &&
        filter_.next_send <= now) {
      outbox_.push_back({p.server, encode_probe_redirect(ProbeRedirect{filter_.nonce})});
      ++filter_.sends;
      filter_.next_send = now + config_.retransmit;
    }
  }
  if (keepalive_ && keepalive_->sends < config_.max_sends && keepalive_->next_send <= now) {
    outbox_.push_back({keepalive_->server, encode_probe_request(ProbeRequest{keepalive_->nonce})});
    ++keepalive_->sends;
    keepalive_->next_send = now + config_.retransmit;
  }
}

bool NatDiscovery::run_finished(TimePoint now) const {
  bool any_answer = false;
  for (const Probe& p : probes_) {
    if (p.reflexive) {
      any_answer = true;
      continue;
    }
    if (!p.silent) return false;
  }
  return !any_answer || filter_.result || now >= filter_.deadline;
}

bool NatDiscovery::sent_to_ip(uint32_t ip) const {
  return std::any_of(config_.servers.begin(), config_.servers.end(),
                     [ip](const Endpoint& s) { return s.ip == ip; });
}

void NatDiscovery::on_filter_answer(const Endpoint& from) {
  if (!config_.servers.empty() && from == config_.servers.front()) {
    filter_.acknowledged = true;
    return;
  }
  // A probe from an address we have sent to proves nothing about strangers.
  filter_.result = sent_to_ip(from.ip) ? NatFiltering::kUnknown : NatFiltering::kEndpointIndependent;
}

bool NatDiscovery::on_datagram(TimePoint now, const Endpoint& from, ByteView bytes) {
  const auto response = decode_probe_response(bytes);
  if (!response) return false;
  if (keepalive_ && response->nonce == keepalive_->nonce && from == keepalive_->server) {
    const bool moved = response->observed != reflexive_;
    keepalive_.reset();
    if (moved) {
      start(now);  // a new mapping (NAT reboot, new network): classify again
    } else {
      next_run_ = now + config_.keepalive_interval;
    }
    return true;
  }
  if (state_ != NatDiscoveryState::kProbing) return false;
  if (response->nonce == filter_.nonce && !filter_.result) {
    on_filter_answer(from);
  } else {
    const auto probe = std::find_if(probes_.begin(), probes_.end(), [&](const Probe& p) {
      return p.nonce == response->nonce && p.server == from;
    });
    if (probe == probes_.end()) return false;
    if (!probe->reflexive) probe->reflexive = response->observed;
  }
  if (run_finished(now)) finish_run(now);
  return true;
}

NatProfile NatDiscovery::classify() const {
  NatProfile profile;
  std::vector<size_t> answered;  // indices into probes_, in send order
  for (size_t i = 0; i < probes_.size(); ++i) {
    if (probes_[i].reflexive) answered.push_back(i);
  }
  if (filter_.result) {
    profile.filtering = *filter_.result;
  } else if (filter_.acknowledged) {
    profile.filtering = NatFiltering::kDependent;  // a partner probed us and nothing came
  }
  const auto is_local = [&](const Endpoint& e) {
    return std::find(config_.local_addresses.begin(), config_.local_addresses.end(), e) !=
           config_.local_addresses.end();
  };
  if (std::any_of(answered.begin(), answered.end(), [&](size_t i) { return is_local(*probes_[i].reflexive); })) {
    profile.mapping = NatMapping::kNone;
    return profile;
  }
  bool all_equal = true, two_ips = false;
  for (size_t i : answered) {
    all_equal = all_equal && *probes_[i].reflexive == *probes_[answered.front()].reflexive;
    two_ips = two_ips || probes_[i].server.ip != probes_[answered.front()].server.ip;
  }
  if (!all_equal) {
    profile.mapping = NatMapping::kEndpointDependent;
  } else if (two_ips) {
    profile.mapping = NatMapping::kEndpointIndependent;
    return profile;
  } else {
    return profile;  // one address answered: cannot tell
  }

  // Port allocation: every consecutive pair of answers must show the same step per
  // probe sent between them (a silent server still took a port).
  std::optional<int32_t> step;
  bool consistent = true;
  for (size_t k = 1; k < answered.size(); ++k) {
    const int32_t diff = int32_t{probes_[answered[k]].reflexive->port} - probes_[answered[k - 1]].reflexive->port;
    const auto gap = static_cast<int32_t>(answered[k] - answered[k - 1]);
    if (diff % gap != 0 || (step && *step != diff / gap)) consistent = false;
    step = diff / gap;
  }
  const size_t last = answered.back();
  profile.last_port = probes_[last].reflexive->port;
  if (consistent && step && *step != 0 && std::abs(*step) <= config_.max_sequential_step) {
    profile.allocation = PortAllocation::kSequential;
    profile.port_step = static_cast<int16_t>(*step);
    // Servers after the last answer still got a mapping each.
    profile.last_port = static_cast<uint16_t>(profile.last_port + *step * static_cast<int32_t>(probes_.size() - 1 - last));
  } else {
    profile.allocation = PortAllocation::kRandom;
  }
  return profile;
}

void NatDiscovery::finish_run(TimePoint now) {
  const auto answered = std::find_if(probes_.begin(), probes_.end(), [](const Probe& p) { return p.reflexive.has_value(); });
  if (answered == probes_.end()) {
    state_ = NatDiscoveryState::kUdpBlocked;
    profile_ = NatProfile{};
    reflexive_.reset();
    blocked_reason_ = "UDP is blocked: none of " + std::to_string(probes_.size()) + " supernodes answered " +
                      std::to_string(config_.max_sends) + " probes each within " +
                      seconds_text(config_.retransmit * config_.max_sends) +
                      " s; calls need a network that lets UDP out and back";
    events_.push_back({NatDiscoveryEvent::Kind::kUdpBlocked, profile_, std::nullopt, blocked_reason_});
    next_run_ = now + config_.blocked_retry;
    return;
  }
  state_ = NatDiscoveryState::kReady;
  blocked_reason_.clear();
  profile_ = classify();
  reflexive_ = answered->reflexive;
  primary_ = answered->server;
  events_.push_back({NatDiscoveryEvent::Kind::kClassified, profile_, reflexive_, {}});
  next_run_ = now + config_.keepalive_interval;
}

void NatDiscovery::start_keepalive(TimePoint now) {
  keepalive_ = Probe{primary_, random_.next_u64(), 0, now, std::nullopt, false};
  next_run_ = kNever;
}

void NatDiscovery::on_timer(TimePoint now) {
  if (state_ == NatDiscoveryState::kProbing) {
    send_due(now);
    if (run_finished(now)) finish_run(now);
    return;
  }
  if (keepalive_ && keepalive_->sends >= config_.max_sends && keepalive_->next_send <= now) {
    start(now);  // the primary went silent: find out again (maybe UDP is gone now)
    return;
  }
  if (next_run_ <= now) {
    if (state_ == NatDiscoveryState::kUdpBlocked) return start(now);
    start_keepalive(now);
  }
  send_due(now);
}

TimePoint NatDiscovery::next_timeout() const {
  TimePoint next = next_run_;
  if (state_ == NatDiscoveryState::kProbing) {
    for (const Probe& p : probes_) {
      if (!p.reflexive) next = std::min(next, p.next_send);
    }
    if (!filter_.result) {
      next = std::min(next, filter_.deadline);
      if (filter_.sends < config_.filter_sends) next = std::min(next, filter_.next_send);
    }
  }
  if (keepalive_) next = std::min(next, keepalive_->next_send);
  return next;
}

}  // namespace koe
