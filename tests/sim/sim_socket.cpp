#include "tests/sim/sim_socket.hpp"

#include "tests/sim/sim_network.hpp"

namespace koe::sim {

SimSocket::SimSocket(SimNetwork& network, NodeId host, Endpoint local)
    : network_(&network), host_(host), local_(local) {}

SimSocket::~SimSocket() {
  if (network_) network_->unbind(host_, local_.port);
}

void SimSocket::send(const Endpoint& to, ByteView bytes) {
  if (network_) network_->send_from(host_, local_, to, bytes);
}

}  // namespace koe::sim
