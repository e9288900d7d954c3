#include "net/loopback_tunnel.hpp"

#include <array>

#include "net/wire.hpp"

namespace koe {

namespace {

constexpr uint32_t kLoopbackIp = 0x7F000001;  // 127.0.0.1

}  // namespace

std::variant<std::unique_ptr<LoopbackTunnel>, std::string> LoopbackTunnel::open(const Endpoint& node) {
  auto opened = UdpSocket::open(Endpoint{kLoopbackIp, 0});
  if (auto* reason = std::get_if<std::string>(&opened)) return "cannot open a relay tunnel: " + *reason;
  // A node bound to every interface is reached on loopback; one bound to an address there.
  const Endpoint target{node.ip == 0 ? kLoopbackIp : node.ip, node.port};
  return std::unique_ptr<LoopbackTunnel>(new LoopbackTunnel(std::get<UdpSocket>(std::move(opened)), target));
}

std::vector<Bytes> LoopbackTunnel::drain(size_t max) {
  std::vector<Bytes> out;
  std::array<uint8_t, wire::kMaxDatagramSize + 1> buffer{};
  while (out.size() < max) {
    const auto received = socket_.receive(buffer);
    if (!received) break;
    const Endpoint& source = received->from;
    const bool from_node = source.port == node_.port && (source.ip == node_.ip || source.ip == kLoopbackIp);
    if (!from_node || received->size == 0 || received->size > wire::kMaxDatagramSize) {
      ++dropped_;
      continue;
    }
    out.emplace_back(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(received->size));
  }
  return out;
}

void LoopbackTunnel::inject(ByteView datagram) {
  if (!socket_.send_to(node_, datagram)) ++dropped_;
}

}  // namespace koe
