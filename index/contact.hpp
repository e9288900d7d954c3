// Contact: a supernode as the overlay knows it (its ID and the endpoint it
// answers on). Plain value type; any thread.
#pragma once

#include "net/endpoint.hpp"
#include "net/identity.hpp"

namespace koe {

struct Contact {
  NodeId id;
  Endpoint endpoint;
  friend bool operator==(const Contact&, const Contact&) = default;
};

inline constexpr size_t kContactWireSize = kNodeIdSize + 4 + 2;

}  // namespace koe
