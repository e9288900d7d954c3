// A UDP socket on a simulated host: the DatagramTransport a core is given in the
// simulator, plus the callback that receives its datagrams. Simulation thread only.
// Owned by the caller; it unbinds its port when destroyed. A socket that outlives its
// network is detached: it sends nothing and receives nothing.
#pragma once

#include <functional>

#include "net/env.hpp"
#include "tests/sim/sim_trace.hpp"

namespace koe::sim {

class SimNetwork;

class SimSocket final : public DatagramTransport {
 public:
  using Receiver = std::function<void(TimePoint now, const Endpoint& from, ByteView bytes)>;

  ~SimSocket() override;
  SimSocket(const SimSocket&) = delete;
  SimSocket& operator=(const SimSocket&) = delete;

  // Takes a copy of `bytes`; never blocks. Loss shows up in the network's stats and trace.
  void send(const Endpoint& to, ByteView bytes) override;
  Endpoint local_endpoint() const override { return local_; }

  // Datagrams arriving while no receiver is set are dropped as port-unreachable. The
  // receiver may send, open sockets or destroy other sockets, but not its own socket.
  void set_receiver(Receiver receiver) { receiver_ = std::move(receiver); }
  bool has_receiver() const { return static_cast<bool>(receiver_); }
  void receive(TimePoint now, const Endpoint& from, ByteView bytes) const {
    receiver_(now, from, bytes);
  }

 private:
  friend class SimNetwork;  // the only way to get a socket is SimNetwork::open_socket
  SimSocket(SimNetwork& network, NodeId host, Endpoint local);

  SimNetwork* network_;  // null once the network is gone
  NodeId host_;
  Endpoint local_;
  Receiver receiver_;
};

}  // namespace koe::sim
