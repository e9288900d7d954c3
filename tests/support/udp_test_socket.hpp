// UdpTestSocket: a plain UDP socket on 127.0.0.1 for tests that talk to a real
// node from outside. One test thread owns each instance.
#pragma once

#include <chrono>
#include <optional>

#include "net/bytes.hpp"
#include "net/endpoint.hpp"
#include "net/udp_socket.hpp"

namespace koe::test {

class UdpTestSocket {
 public:
  UdpTestSocket();  // bound to 127.0.0.1 on an ephemeral port

  Endpoint local() const { return socket_.local(); }
  void send_to(const Endpoint& to, ByteView bytes) const;
  // The next datagram within `limit`, or nullopt.
  std::optional<Bytes> receive(std::chrono::milliseconds limit, Endpoint* from = nullptr) const;

 private:
  UdpSocket socket_;
};

}  // namespace koe::test
