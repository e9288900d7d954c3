#include "net/loopback_tunnel.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "net/wire.hpp"

namespace koe {

namespace {

constexpr uint32_t kLoopbackIp = 0x7F000001;  // 127.0.0.1

sockaddr_in to_sockaddr(const Endpoint& endpoint) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(endpoint.ip);
  sa.sin_port = htons(endpoint.port);
  return sa;
}

}  // namespace

std::variant<std::unique_ptr<LoopbackTunnel>, std::string> LoopbackTunnel::open(const Endpoint& node) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::string("cannot open a relay tunnel socket: ") + std::strerror(errno);
  sockaddr_in sa = to_sockaddr(Endpoint{kLoopbackIp, 0});
  socklen_t length = sizeof sa;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &length) != 0) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    return "cannot bind a relay tunnel socket: " + reason;
  }
  // A node bound to every interface is reached on loopback; one bound to an address there.
  const Endpoint target{node.ip == 0 ? kLoopbackIp : node.ip, node.port};
  return std::unique_ptr<LoopbackTunnel>(new LoopbackTunnel(fd, Endpoint{kLoopbackIp, ntohs(sa.sin_port)}, target));
}

LoopbackTunnel::~LoopbackTunnel() { ::close(fd_); }

std::vector<Bytes> LoopbackTunnel::drain(size_t max) {
  std::vector<Bytes> out;
  std::array<uint8_t, wire::kMaxDatagramSize + 1> buffer{};
  while (out.size() < max) {
    sockaddr_in from{};
    socklen_t length = sizeof from;
    const ssize_t n =
        ::recvfrom(fd_, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&from), &length);
    if (n < 0) break;  // EAGAIN: nothing more now
    const Endpoint source{ntohl(from.sin_addr.s_addr), ntohs(from.sin_port)};
    const bool from_node = source.port == node_.port && (source.ip == node_.ip || source.ip == kLoopbackIp);
    if (!from_node || n == 0 || static_cast<size_t>(n) > wire::kMaxDatagramSize) {
      ++dropped_;
      continue;
    }
    out.emplace_back(buffer.begin(), buffer.begin() + n);
  }
  return out;
}

void LoopbackTunnel::inject(ByteView datagram) {
  const sockaddr_in to = to_sockaddr(node_);
  if (::sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0)
    ++dropped_;
}

}  // namespace koe
