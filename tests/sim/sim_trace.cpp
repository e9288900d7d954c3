#include "tests/sim/sim_trace.hpp"

#include <numeric>

namespace koe::sim {

std::string_view drop_reason_name(DropReason reason) {
  switch (reason) {
    case DropReason::kRandomLoss: return "random_loss";
    case DropReason::kBurstLoss: return "burst_loss";
    case DropReason::kMtu: return "mtu";
    case DropReason::kQueueFull: return "queue_full";
    case DropReason::kTooLarge: return "too_large";
    case DropReason::kNoRoute: return "no_route";
    case DropReason::kPortUnreachable: return "port_unreachable";
    case DropReason::kNatNoMapping: return "nat_no_mapping";
    case DropReason::kNatFiltered: return "nat_filtered";
    case DropReason::kNatHairpinOff: return "nat_hairpin_off";
    case DropReason::kNatPortsExhausted: return "nat_ports_exhausted";
  }
  return "unknown";
}

uint64_t SimStats::total_dropped() const {
  return std::accumulate(dropped.begin(), dropped.end(), uint64_t{0});
}

void TraceHasher::mix(uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    hash_ ^= (v >> (8 * i)) & 0xff;
    hash_ *= 0x100000001b3ULL;
  }
}

void TraceHasher::add(const TraceEvent& event) {
  mix(static_cast<uint64_t>(event.kind));
  mix(static_cast<uint64_t>(event.at.time_since_epoch().count()));
  mix(event.node);
  mix((uint64_t{event.from.ip} << 16) | event.from.port);
  mix((uint64_t{event.to.ip} << 16) | event.to.port);
  mix(event.kind == TraceKind::kDrop ? static_cast<uint64_t>(event.reason) : 0xff);
  mix(event.bytes.size());
  for (uint8_t b : event.bytes) {
    hash_ ^= b;
    hash_ *= 0x100000001b3ULL;
  }
  ++events_;
}

}  // namespace koe::sim
