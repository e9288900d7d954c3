// SpraySockets: the extra sockets of one birthday-punching attempt (PunchPlan's
// spray_sockets, docs/nat-traversal.md): each on its own port, so the NAT gives each
// its own mapping. Numbered 1..size() as the HolePunch names them; once one has
// punched through, the rest are closed and it carries the peer's link. Net thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "net/bytes.hpp"
#include "net/endpoint.hpp"
#include "net/udp_socket.hpp"

namespace koe {

class SpraySockets {
 public:
  // Opens up to `count` sockets on every interface; fewer when the process runs out of
  // descriptors (error() says why).
  SpraySockets(uint32_t generation, uint32_t count);

  uint32_t generation() const { return generation_; }
  uint32_t opened() const { return static_cast<uint32_t>(sockets_.size()); }
  const std::string& error() const { return error_; }
  std::vector<int> fds() const;
  std::optional<uint16_t> socket_of(int fd) const;

  // Closes every socket but `socket`.
  void keep_only(uint16_t socket);
  bool send(uint16_t socket, const Endpoint& to, ByteView datagram) const;
  // Datagrams pending on `socket`, at most `max`; oversize ones are dropped.
  std::vector<std::pair<Endpoint, Bytes>> drain(uint16_t socket, size_t max) const;

 private:
  const UdpSocket* at(uint16_t socket) const;

  uint32_t generation_;
  std::vector<std::optional<UdpSocket>> sockets_;  // [socket - 1]
  std::unordered_map<int, uint16_t> by_fd_;
  std::string error_;
};

}  // namespace koe
