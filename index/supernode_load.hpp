// SupernodeLoad: one supernode's load report (attached clients, relay sessions, bandwidth,
// with its capacities), sent to its clients and read by the election. Plain value; any thread.
#pragma once

#include <cstdint>

namespace koe {

// `eligible_clients` counts its attached clients that said they are eligible: it lets
// candidates scale their promotion probability without global knowledge. On the wire
// every field is a u32 (the kbps figures rounded and clamped).
struct SupernodeLoad {
  uint32_t clients = 0;
  uint32_t client_capacity = 0;
  uint32_t relay_sessions = 0;
  uint32_t relay_capacity = 0;
  double upstream_kbps = 0;
  double upstream_capacity_kbps = 0;
  uint32_t eligible_clients = 0;
  friend bool operator==(const SupernodeLoad&, const SupernodeLoad&) = default;
};

}  // namespace koe
