#include "tests/support/udp_test_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace koe::test {

namespace {

sockaddr_in to_sockaddr(const Endpoint& e) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(e.ip);
  sa.sin_port = htons(e.port);
  return sa;
}

}  // namespace

UdpTestSocket::UdpTestSocket() : fd_(::socket(AF_INET, SOCK_DGRAM, 0)) {
  if (fd_ < 0) throw std::runtime_error("socket failed");
  sockaddr_in sa = to_sockaddr(Endpoint{Endpoint::make_ip(127, 0, 0, 1), 0});
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) throw std::runtime_error("bind failed");
  socklen_t len = sizeof sa;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
  local_ = Endpoint{ntohl(sa.sin_addr.s_addr), ntohs(sa.sin_port)};
}

UdpTestSocket::~UdpTestSocket() { ::close(fd_); }

void UdpTestSocket::send_to(const Endpoint& to, ByteView bytes) const {
  const sockaddr_in sa = to_sockaddr(to);
  ::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
}

std::optional<Bytes> UdpTestSocket::receive(std::chrono::milliseconds limit, Endpoint* from) const {
  pollfd pfd{fd_, POLLIN, 0};
  if (::poll(&pfd, 1, static_cast<int>(limit.count())) <= 0) return std::nullopt;
  Bytes buf(65536);
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  const auto n = ::recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&sa), &len);
  if (n < 0) return std::nullopt;
  buf.resize(static_cast<size_t>(n));
  if (from) *from = Endpoint{ntohl(sa.sin_addr.s_addr), ntohs(sa.sin_port)};
  return buf;
}

}  // namespace koe::test
