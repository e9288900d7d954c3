#include "net/nat_probe_server.hpp"

#include <algorithm>

#include "net/filter_probe.hpp"
#include "net/probe.hpp"

namespace koe {

NatProbeServer::NatProbeServer(NatProbeServerConfig config)
    : per_source_(config.per_source), per_target_(config.per_target) {}

void NatProbeServer::set_partners(std::vector<Endpoint> partners) {
  partners_ = std::move(partners);
  next_partner_ = 0;
}

bool NatProbeServer::owns(wire::PacketType type) {
  return type == wire::PacketType::kProbeRequest || type == wire::PacketType::kProbeRedirect ||
         type == wire::PacketType::kProbeForward;
}

bool NatProbeServer::is_partner(const Endpoint& e) const {
  return std::find(partners_.begin(), partners_.end(), e) != partners_.end();
}

void NatProbeServer::on_datagram(TimePoint now, const Endpoint& from, ByteView bytes) {
  const auto packet = wire::decode_header(bytes);
  if (!packet) {
    ++counters_.malformed;
    return;
  }
  switch (packet->type) {
    case wire::PacketType::kProbeRequest: return on_probe(now, from, bytes);
    case wire::PacketType::kProbeRedirect: return on_redirect(now, from, bytes);
    case wire::PacketType::kProbeForward: return on_forward(now, from, bytes);
    default: ++counters_.malformed;
  }
}

void NatProbeServer::on_probe(TimePoint now, const Endpoint& from, ByteView bytes) {
  if (!per_source_.allow(now, from.ip)) {
    ++counters_.rate_limited;
    return;
  }
  auto response = respond_to_probe(from, bytes);
  if (!response) {
    ++counters_.malformed;
    return;
  }
  ++counters_.probes_answered;
  outbox_.push_back({from, std::move(*response)});
}

void NatProbeServer::on_redirect(TimePoint now, const Endpoint& from, ByteView bytes) {
  const auto redirect = decode_probe_redirect(bytes);
  if (!redirect || from.ip == 0 || from.port == 0) {
    ++counters_.malformed;
    return;
  }
  if (partners_.empty()) {
    ++counters_.no_partner;
    return;
  }
  if (!per_source_.allow(now, from.ip)) {
    ++counters_.rate_limited;
    return;
  }
  const Endpoint partner = partners_[next_partner_++ % partners_.size()];
  ++counters_.redirects_forwarded;
  outbox_.push_back({partner, encode_probe_forward(ProbeForward{redirect->nonce, from})});
  // The acknowledgement tells the node that a partner was asked, so its silence means
  // "filtered" rather than "nobody could test".
  outbox_.push_back({from, encode_probe_response(ProbeResponse{redirect->nonce, from})});
}

void NatProbeServer::on_forward(TimePoint now, const Endpoint& from, ByteView bytes) {
  const auto forward = decode_probe_forward(bytes);
  if (!forward) {
    ++counters_.malformed;
    return;
  }
  // Only partners may aim us at a third party; anyone else could use us as a reflector.
  if (!is_partner(from)) {
    ++counters_.not_partner;
    return;
  }
  if (!per_target_.allow(now, forward->target.ip)) {
    ++counters_.rate_limited;
    return;
  }
  ++counters_.forwards_answered;
  outbox_.push_back({forward->target, encode_probe_response(ProbeResponse{forward->nonce, forward->target})});
}

}  // namespace koe
