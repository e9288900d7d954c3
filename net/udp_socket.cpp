#include "net/udp_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace koe {

namespace {

sockaddr_in to_sockaddr(const Endpoint& endpoint) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(endpoint.ip);
  sa.sin_port = htons(endpoint.port);
  return sa;
}

}  // namespace

std::variant<UdpSocket, std::string> UdpSocket::open(const Endpoint& at) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::string("cannot open a UDP socket: ") + std::strerror(errno);
  sockaddr_in sa = to_sockaddr(at);
  socklen_t length = sizeof sa;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &length) != 0) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    return "cannot bind a UDP socket to " + at.to_string() + ": " + reason;
  }
  return UdpSocket(fd, Endpoint{ntohl(sa.sin_addr.s_addr), ntohs(sa.sin_port)});
}

UdpSocket::UdpSocket(UdpSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), local_(other.local_) {}

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    local_ = other.local_;
  }
  return *this;
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

bool UdpSocket::send_to(const Endpoint& to, ByteView datagram) const {
  const sockaddr_in sa = to_sockaddr(to);
  return ::sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) >= 0;
}

std::optional<UdpSocket::Received> UdpSocket::receive(MutableByteView buffer) const {
  sockaddr_in from{};
  socklen_t length = sizeof from;
  const ssize_t n = ::recvfrom(fd_, buffer.data(), buffer.size(), MSG_TRUNC, reinterpret_cast<sockaddr*>(&from), &length);
  if (n < 0) return std::nullopt;  // EAGAIN: nothing more now
  return Received{Endpoint{ntohl(from.sin_addr.s_addr), ntohs(from.sin_port)}, static_cast<size_t>(n)};
}

}  // namespace koe
