// LoopbackTunnel: a UDP socket on 127.0.0.1 that stands in for a peer reached through
// a relay. The node's socket (ENet's and our own datagrams alike) sends to the tunnel's
// endpoint as it would to the peer; the node drains those datagrams here to wrap them
// for the relay, and injects what the relay delivers so it arrives from the tunnel's
// endpoint. A userspace tunnel: ENet offers no hook on its sends. Net thread only;
// owns its socket.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "net/bytes.hpp"
#include "net/endpoint.hpp"
#include "net/udp_socket.hpp"

namespace koe {

class LoopbackTunnel {
 public:
  // `node` is the node socket's own endpoint (ip 0: bound to every interface).
  static std::variant<std::unique_ptr<LoopbackTunnel>, std::string> open(const Endpoint& node);

  int fd() const { return socket_.fd(); }
  // Where the node sends what is meant for the peer.
  const Endpoint& endpoint() const { return socket_.local(); }
  // Datagrams the node's socket sent here since the last call, at most `max`; anything
  // from another source is dropped and counted.
  std::vector<Bytes> drain(size_t max);
  // Hands `datagram` to the node's socket as if the peer had sent it.
  void inject(ByteView datagram);
  uint64_t dropped() const { return dropped_; }

 private:
  LoopbackTunnel(UdpSocket socket, Endpoint node) : socket_(std::move(socket)), node_(node) {}
  UdpSocket socket_;
  Endpoint node_;  // where injected datagrams go
  uint64_t dropped_ = 0;
};

}  // namespace koe
