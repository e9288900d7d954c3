#include "net/spray_sockets.hpp"

#include <array>

#include "net/wire.hpp"

namespace koe {

SpraySockets::SpraySockets(uint32_t generation, uint32_t count) : generation_(generation) {
  for (uint32_t i = 0; i < count && i < 65535; ++i) {
    auto opened = UdpSocket::open(Endpoint{0, 0});
    if (auto* reason = std::get_if<std::string>(&opened)) {
      error_ = *reason;
      break;
    }
    by_fd_.emplace(std::get<UdpSocket>(opened).fd(), static_cast<uint16_t>(i + 1));
    sockets_.emplace_back(std::get<UdpSocket>(std::move(opened)));
  }
}

std::vector<int> SpraySockets::fds() const {
  std::vector<int> fds;
  fds.reserve(by_fd_.size());
  for (const auto& [fd, socket] : by_fd_) fds.push_back(fd);
  return fds;
}

std::optional<uint16_t> SpraySockets::socket_of(int fd) const {
  const auto it = by_fd_.find(fd);
  if (it == by_fd_.end()) return std::nullopt;
  return it->second;
}

void SpraySockets::keep_only(uint16_t socket) {
  for (size_t i = 0; i < sockets_.size(); ++i) {
    if (i + 1 == socket || !sockets_[i]) continue;
    by_fd_.erase(sockets_[i]->fd());
    sockets_[i].reset();
  }
}

const UdpSocket* SpraySockets::at(uint16_t socket) const {
  if (socket == 0 || socket > sockets_.size() || !sockets_[socket - 1]) return nullptr;
  return &*sockets_[socket - 1];
}

bool SpraySockets::send(uint16_t socket, const Endpoint& to, ByteView datagram) const {
  const UdpSocket* s = at(socket);
  return s && s->send_to(to, datagram);
}

std::vector<std::pair<Endpoint, Bytes>> SpraySockets::drain(uint16_t socket, size_t max) const {
  std::vector<std::pair<Endpoint, Bytes>> out;
  const UdpSocket* s = at(socket);
  if (!s) return out;
  std::array<uint8_t, wire::kMaxDatagramSize + 1> buffer{};
  for (size_t taken = 0; taken < max; ++taken) {
    const auto received = s->receive(buffer);
    if (!received) break;
    if (received->size == 0 || received->size > wire::kMaxDatagramSize) continue;
    out.emplace_back(received->from, Bytes(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(received->size)));
  }
  return out;
}

}  // namespace koe
