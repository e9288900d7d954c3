#include "net/udp_host.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "net/relay_messages.hpp"

namespace koe {

namespace {

void initialize_enet_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (enet_initialize() == 0) std::atexit(enet_deinitialize);
  });
}

// ENet reports a failed bind only as NULL; bind a plain socket to learn why.
std::string explain_bind_failure(const Endpoint& bind) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return std::string("cannot create a UDP socket: ") + std::strerror(errno);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(bind.ip);
  sa.sin_port = htons(bind.port);
  const int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
  const int err = errno;
  ::close(fd);
  const std::string port = std::to_string(bind.port);
  if (rc == 0) return "cannot open UDP port " + port + " (ENet host creation failed)";
  if (err == EADDRINUSE) return "UDP port " + port + " is already in use (is another koe running?)";
  return "cannot bind UDP port " + port + ": " + std::strerror(err);
}

}  // namespace

Endpoint endpoint_from_enet(const ENetAddress& address) {
  return Endpoint{ntohl(address.host), address.port};
}

ENetAddress enet_from_endpoint(const Endpoint& endpoint) {
  ENetAddress a{};
  a.host = htonl(endpoint.ip);
  a.port = endpoint.port;
  return a;
}

std::variant<std::unique_ptr<UdpHost>, std::string> UdpHost::open(const UdpHostConfig& config) {
  if (config.bind.port < kMinListenPort)
    return "UDP port " + std::to_string(config.bind.port) + " is not in 1025-65535";
  initialize_enet_once();
  ENetAddress address = enet_from_endpoint(config.bind);
  ENetHost* host = enet_host_create(&address, config.peer_limit, config.channel_limit, 0, 0);
  if (host == nullptr) return explain_bind_failure(config.bind);
  // Every ENet datagram must fit in a relay frame, so a link can move onto a relay
  // (and back) without renegotiating; it also keeps datagrams below common path MTUs.
  host->mtu = static_cast<enet_uint32>(kMaxRelayPayload);
  ENetAddress bound{};
  Endpoint local = config.bind;
  if (enet_socket_get_address(host->socket, &bound) == 0) local = endpoint_from_enet(bound);
  return std::unique_ptr<UdpHost>(new UdpHost(host, local));
}

UdpHost::~UdpHost() { enet_host_destroy(host_); }

void UdpHost::send(const Endpoint& to, ByteView bytes) {
  ENetAddress address = enet_from_endpoint(to);
  ENetBuffer buffer;
  buffer.data = const_cast<uint8_t*>(bytes.data());  // ENet's API is not const-correct
  buffer.dataLength = bytes.size();
  if (enet_socket_send(host_->socket, &address, &buffer, 1) < 0) {
    ++send_errors_;
  } else {
    ++datagrams_sent_;
  }
}

}  // namespace koe
