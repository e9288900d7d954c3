#include "net/resolve.hpp"

#include <arpa/inet.h>
#include <netdb.h>

#include <cstring>
#include <memory>

namespace koe {

Expected<Endpoint, std::string> resolve_ipv4(std::string_view host, uint16_t port) {
  const std::string name(host);
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  const int status = getaddrinfo(name.c_str(), nullptr, &hints, &found);
  if (status != 0 || found == nullptr) {
    return Failure{std::string("cannot resolve '") + name + "': " + gai_strerror(status)};
  }
  const std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(found, freeaddrinfo);
  sockaddr_in address{};
  std::memcpy(&address, found->ai_addr, sizeof(address));
  return Endpoint{ntohl(address.sin_addr.s_addr), port};
}

}  // namespace koe
