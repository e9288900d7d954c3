// The machine's LAN address: what a node advertises as its LAN endpoint so peers
// behind the same NAT reach it directly. Reads the interface list; any thread.
#pragma once

#include <cstdint>

namespace koe {

// The first IPv4 address of an interface that is up and not loopback (host order);
// 127.0.0.1 when there is none.
uint32_t primary_ipv4_address();

}  // namespace koe
