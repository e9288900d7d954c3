#include "tests/sim/nat_model.hpp"

#include <stdexcept>

namespace koe::sim {

NatModel::NatModel(const NatConfig& config, Random& random)
    : config_(config), random_(random), next_port_(config.port_min) {
  if (config.port_min == 0 || config.port_min > config.port_max)
    throw std::invalid_argument("NatConfig: need 0 < port_min <= port_max");
}

size_t NatModel::KeyHash::operator()(const Key& k) const noexcept {
  const std::hash<Endpoint> h;
  return h(k.internal) * 0x9e3779b97f4a7c15ULL ^ h(k.remote);
}

Endpoint NatModel::mask(const Endpoint& remote, NatBehavior behavior) {
  switch (behavior) {
    case NatBehavior::kEndpointIndependent: return {};
    case NatBehavior::kAddressDependent: return {remote.ip, 0};
    case NatBehavior::kAddressAndPortDependent: return remote;
  }
  return remote;
}

void NatModel::erase(uint16_t port) {
  auto it = by_port_.find(port);
  if (it == by_port_.end()) return;
  by_key_.erase(it->second.key);
  by_port_.erase(it);
}

// Expired mappings are removed lazily, when their port or key is next looked at.
bool NatModel::port_free(TimePoint now, uint16_t port) {
  auto it = by_port_.find(port);
  if (it == by_port_.end()) return true;
  if (it->second.expires > now) return false;
  erase(port);
  return true;
}

std::optional<uint16_t> NatModel::allocate_port(TimePoint now, uint16_t internal_port) {
  const uint32_t lo = config_.port_min, hi = config_.port_max, span = hi - lo + 1;
  if (config_.preserve_port && internal_port >= lo && internal_port <= hi &&
      port_free(now, internal_port))
    return internal_port;
  // Random allocation starts its scan at a random port; sequential continues after the
  // last port it gave out. Either way one full scan finds any free port.
  uint32_t start = config_.allocation == PortAllocation::kRandom
                       ? lo + static_cast<uint32_t>(random_.uniform(span))
                       : next_port_;
  for (uint32_t i = 0; i < span; ++i) {
    const auto port = static_cast<uint16_t>(lo + (start - lo + i) % span);
    if (port_free(now, port)) {
      next_port_ = static_cast<uint16_t>(port == hi ? lo : port + 1);
      return port;
    }
  }
  return std::nullopt;
}

NatResult NatModel::outbound(TimePoint now, const Endpoint& internal, const Endpoint& remote) {
  const Key key{internal, mask(remote, config_.mapping)};
  uint16_t port = 0;
  if (auto it = by_key_.find(key); it != by_key_.end() && by_port_.at(it->second).expires > now) {
    port = it->second;
  } else {
    if (it != by_key_.end()) erase(it->second);
    const auto allocated = allocate_port(now, internal.port);
    if (!allocated) return {std::nullopt, DropReason::kNatPortsExhausted};
    port = *allocated;
    by_port_.emplace(port, Mapping{key, now, {}});
    by_key_.emplace(key, port);
  }
  Mapping& m = by_port_.at(port);
  m.expires = now + config_.mapping_timeout;
  if (config_.filtering != NatBehavior::kEndpointIndependent)
    m.permits[mask(remote, config_.filtering)] = m.expires;
  return {Endpoint{config_.public_ip, port}, {}};
}

NatResult NatModel::inbound(TimePoint now, const Endpoint& remote, const Endpoint& external) {
  auto it = by_port_.find(external.port);
  if (external.ip != config_.public_ip || it == by_port_.end()) return {};
  Mapping& m = it->second;
  if (m.expires <= now) {
    erase(external.port);
    return {};
  }
  if (config_.filtering != NatBehavior::kEndpointIndependent) {
    auto permit = m.permits.find(mask(remote, config_.filtering));
    if (permit == m.permits.end() || permit->second <= now)
      return {std::nullopt, DropReason::kNatFiltered};
    if (config_.inbound_refresh) permit->second = now + config_.mapping_timeout;
  }
  if (config_.inbound_refresh) m.expires = now + config_.mapping_timeout;
  return {m.key.internal, {}};
}

std::optional<Endpoint> NatModel::peek_mapping(TimePoint now, const Endpoint& internal,
                                               const Endpoint& remote) const {
  auto it = by_key_.find(Key{internal, mask(remote, config_.mapping)});
  if (it == by_key_.end() || by_port_.at(it->second).expires <= now) return std::nullopt;
  return Endpoint{config_.public_ip, it->second};
}

size_t NatModel::live_mappings(TimePoint now) const {
  size_t n = 0;
  for (const auto& [port, m] : by_port_) n += m.expires > now ? 1 : 0;
  return n;
}

}  // namespace koe::sim
