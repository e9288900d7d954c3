// LabUdp: one plain non-blocking IPv4 UDP socket for the NAT lab tool, as the
// DatagramTransport its cores send through. One thread owns each instance.
#pragma once

#include <optional>
#include <string>

#include "net/env.hpp"

namespace koe::lab {

class LabUdp final : public DatagramTransport {
 public:
  // Binds `local` (ip 0: every interface). Throws std::runtime_error with a one-line
  // reason when the socket cannot be made or bound.
  explicit LabUdp(const Endpoint& local);
  ~LabUdp() override;
  LabUdp(const LabUdp&) = delete;
  LabUdp& operator=(const LabUdp&) = delete;

  void send(const Endpoint& to, ByteView bytes) override;
  Endpoint local_endpoint() const override { return local_; }
  int fd() const { return fd_; }

  // The next waiting datagram (into `buffer`), or nullopt when none is waiting.
  std::optional<Endpoint> receive(Bytes& buffer);

 private:
  int fd_ = -1;
  Endpoint local_;
};

}  // namespace koe::lab
