// A UDP NAT with RFC 4787 mapping and filtering behaviours, port allocation, mapping
// timeouts and hairpinning. Sans-IO: the simulator passes `now`; one thread; owns its tables.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>

#include "net/clock.hpp"
#include "net/endpoint.hpp"
#include "net/env.hpp"
#include "tests/sim/sim_trace.hpp"

namespace koe::sim {

// RFC 4787 section 4.1 (mapping) and 5 (filtering) use the same three classes.
enum class NatBehavior : uint8_t {
  kEndpointIndependent,      // one mapping / anyone may answer
  kAddressDependent,         // per remote IP
  kAddressAndPortDependent,  // per remote IP and port
};

enum class PortAllocation : uint8_t { kSequential, kRandom };

struct NatConfig {
  uint32_t public_ip = 0;
  NatBehavior mapping = NatBehavior::kEndpointIndependent;
  NatBehavior filtering = NatBehavior::kAddressAndPortDependent;  // Linux masquerade's pair
  PortAllocation allocation = PortAllocation::kSequential;
  bool preserve_port = false;  // try the internal port first
  uint16_t port_min = 1024;
  uint16_t port_max = 65535;
  // RFC 4787 REQ-5 asks for at least 2 minutes. Outbound traffic refreshes (REQ-6).
  Duration mapping_timeout = std::chrono::minutes(2);
  bool inbound_refresh = false;  // also refresh on accepted inbound traffic
  bool hairpinning = true;       // REQ-9
};

// An endpoint on success, otherwise why the datagram is dropped.
struct NatResult {
  std::optional<Endpoint> endpoint;
  DropReason reason = DropReason::kNatNoMapping;
};

class NatModel {
 public:
  // `random` is used only for PortAllocation::kRandom; it must outlive the model.
  NatModel(const NatConfig& config, Random& random);

  const NatConfig& config() const { return config_; }

  // A datagram from `internal` (inside) to `remote` (outside, or this NAT's own public
  // address when hairpinning) leaves: returns the external source endpoint, creating or
  // refreshing the mapping and opening the filter for `remote`.
  NatResult outbound(TimePoint now, const Endpoint& internal, const Endpoint& remote);

  // A datagram from `remote` arrives at `external` (this NAT's public address): returns
  // the internal endpoint it is forwarded to, or why it is refused.
  NatResult inbound(TimePoint now, const Endpoint& remote, const Endpoint& external);

  // The external endpoint a datagram from `internal` to `remote` would use now, without
  // creating anything (for tests and diagnostics).
  std::optional<Endpoint> peek_mapping(TimePoint now, const Endpoint& internal,
                                       const Endpoint& remote) const;
  size_t live_mappings(TimePoint now) const;

 private:
  struct Key {
    Endpoint internal;
    Endpoint remote;  // masked by the mapping behaviour
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const noexcept;
  };
  struct Mapping {
    Key key;
    TimePoint expires;
    // Filter permissions: remote (masked by the filtering behaviour) -> expiry.
    std::unordered_map<Endpoint, TimePoint> permits;
  };

  static Endpoint mask(const Endpoint& remote, NatBehavior behavior);
  std::optional<uint16_t> allocate_port(TimePoint now, uint16_t internal_port);
  bool port_free(TimePoint now, uint16_t port);
  void erase(uint16_t port);

  NatConfig config_;
  Random& random_;
  uint16_t next_port_;
  std::unordered_map<uint16_t, Mapping> by_port_;
  std::unordered_map<Key, uint16_t, KeyHash> by_key_;
};

}  // namespace koe::sim
