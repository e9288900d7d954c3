#include "tests/nat/lab_udp.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "net/wire.hpp"

namespace koe::lab {

namespace {

sockaddr_in to_sockaddr(const Endpoint& e) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(e.ip);
  a.sin_port = htons(e.port);
  return a;
}

}  // namespace

LabUdp::LabUdp(const Endpoint& local) : local_(local) {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  const sockaddr_in a = to_sockaddr(local);
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    const int err = errno;
    ::close(fd_);
    throw std::runtime_error("cannot bind " + local.to_string() + ": " + std::strerror(err));
  }
}

LabUdp::~LabUdp() { ::close(fd_); }

void LabUdp::send(const Endpoint& to, ByteView bytes) {
  const sockaddr_in a = to_sockaddr(to);
  // UDP semantics: a datagram the network cannot take (no route, full buffer) is lost.
  (void)::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&a), sizeof a);
}

std::optional<Endpoint> LabUdp::receive(Bytes& buffer) {
  buffer.resize(wire::kMaxDatagramSize + 1);  // one more: an oversized datagram stays detectable
  sockaddr_in from{};
  socklen_t length = sizeof from;
  const ssize_t n = ::recvfrom(fd_, buffer.data(), buffer.size(), MSG_TRUNC, reinterpret_cast<sockaddr*>(&from), &length);
  if (n < 0) return std::nullopt;
  buffer.resize(std::min<size_t>(static_cast<size_t>(n), buffer.size()));
  return Endpoint{ntohl(from.sin_addr.s_addr), ntohs(from.sin_port)};
}

}  // namespace koe::lab
