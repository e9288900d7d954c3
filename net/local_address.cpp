#include "net/local_address.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cstring>

namespace koe {

uint32_t primary_ipv4_address() {
  constexpr uint32_t kLoopback = 0x7F000001;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return kLoopback;
  uint32_t found = kLoopback;
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET) continue;
    if ((entry->ifa_flags & IFF_UP) == 0 || (entry->ifa_flags & IFF_LOOPBACK) != 0) continue;
    sockaddr_in address{};
    std::memcpy(&address, entry->ifa_addr, sizeof(address));
    found = ntohl(address.sin_addr.s_addr);
    break;
  }
  freeifaddrs(list);
  return found;
}

}  // namespace koe
