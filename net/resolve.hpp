// Host name resolution for the few names users type (--bootstrap HOST:PORT).
// Blocking (getaddrinfo): call on the main thread before the node starts.
#pragma once

#include <string>
#include <string_view>

#include "net/endpoint.hpp"
#include "net/expected.hpp"

namespace koe {

// The first IPv4 address of `host` (a dotted quad or a name) with `port`; the error
// is one line naming the host.
Expected<Endpoint, std::string> resolve_ipv4(std::string_view host, uint16_t port);

}  // namespace koe
