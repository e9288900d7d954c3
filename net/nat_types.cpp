#include "net/nat_types.hpp"

namespace koe {

std::string_view to_string(NatMapping mapping) {
  switch (mapping) {
    case NatMapping::kUnknown: return "unknown";
    case NatMapping::kNone: return "none";
    case NatMapping::kEndpointIndependent: return "endpoint_independent";
    case NatMapping::kEndpointDependent: return "endpoint_dependent";
  }
  return "unknown";
}

std::string_view to_string(NatFiltering filtering) {
  switch (filtering) {
    case NatFiltering::kUnknown: return "unknown";
    case NatFiltering::kEndpointIndependent: return "endpoint_independent";
    case NatFiltering::kDependent: return "dependent";
  }
  return "unknown";
}

std::string_view to_string(PortAllocation allocation) {
  switch (allocation) {
    case PortAllocation::kUnknown: return "unknown";
    case PortAllocation::kSequential: return "sequential";
    case PortAllocation::kRandom: return "random";
  }
  return "unknown";
}

std::string_view to_string(CandidateKind kind) {
  switch (kind) {
    case CandidateKind::kLan: return "lan";
    case CandidateKind::kReflexive: return "reflexive";
  }
  return "unknown";
}

}  // namespace koe
