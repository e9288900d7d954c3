#include "tests/support/udp_test_socket.hpp"

#include <poll.h>

#include <stdexcept>
#include <string>

namespace koe::test {

namespace {

UdpSocket open_on_loopback() {
  auto opened = UdpSocket::open(Endpoint{Endpoint::make_ip(127, 0, 0, 1), 0});
  if (auto* reason = std::get_if<std::string>(&opened)) throw std::runtime_error(*reason);
  return std::get<UdpSocket>(std::move(opened));
}

}  // namespace

UdpTestSocket::UdpTestSocket() : socket_(open_on_loopback()) {}

void UdpTestSocket::send_to(const Endpoint& to, ByteView bytes) const { socket_.send_to(to, bytes); }

std::optional<Bytes> UdpTestSocket::receive(std::chrono::milliseconds limit, Endpoint* from) const {
  pollfd pfd{socket_.fd(), POLLIN, 0};
  if (::poll(&pfd, 1, static_cast<int>(limit.count())) <= 0) return std::nullopt;
  Bytes buf(65536);
  const auto received = socket_.receive(buf);
  if (!received) return std::nullopt;
  buf.resize(std::min(received->size, buf.size()));
  if (from) *from = received->from;
  return buf;
}

}  // namespace koe::test
