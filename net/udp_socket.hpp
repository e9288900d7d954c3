// UdpSocket: one non-blocking IPv4 UDP socket, closed with its owner. For the node's
// side sockets (relay tunnels, birthday spray sockets); the node's main socket is
// ENet's. Net thread only.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "net/bytes.hpp"
#include "net/endpoint.hpp"

namespace koe {

class UdpSocket {
 public:
  // Binds to `at` (port 0: any free port). The error says what failed and why.
  static std::variant<UdpSocket, std::string> open(const Endpoint& at);
  UdpSocket(UdpSocket&& other) noexcept;
  UdpSocket& operator=(UdpSocket&& other) noexcept;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  ~UdpSocket();

  int fd() const { return fd_; }
  // The bound endpoint (ip 0 when bound to every interface).
  const Endpoint& local() const { return local_; }
  // False when the kernel did not take it (UDP: the datagram is lost).
  bool send_to(const Endpoint& to, ByteView datagram) const;
  struct Received {
    Endpoint from;
    size_t size = 0;
  };
  // One pending datagram into `buffer` (truncated to its size; `size` is the real
  // length, so a caller with a buffer one byte over its limit can tell oversize);
  // nullopt when nothing is pending.
  std::optional<Received> receive(MutableByteView buffer) const;

 private:
  UdpSocket(int fd, Endpoint local) : fd_(fd), local_(local) {}
  int fd_ = -1;
  Endpoint local_;
};

}  // namespace koe
