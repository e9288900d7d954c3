// UdpHost: the node's one UDP socket (port > 1024) with an ENet host on it, plus
// raw sends of our own datagrams through the same socket so that ENet traffic and
// ours share one NAT mapping. Created, used and destroyed on the net thread only.
#pragma once

#include <enet/enet.h>

#include <cstdint>
#include <memory>
#include <string>
#include <variant>

#include "net/env.hpp"

namespace koe {

inline constexpr uint16_t kMinListenPort = 1025;
inline constexpr uint16_t kMaxListenPort = 65535;

struct UdpHostConfig {
  Endpoint bind{0, 0};         // ip 0 = all interfaces; port must be 1025-65535
  size_t peer_limit = 64;      // ENet peers (sessions with other nodes)
  size_t channel_limit = 2;    // control (reliable) and voice (unsequenced)
};

class UdpHost final : public DatagramTransport {
 public:
  // Binds the socket; on failure returns a one-line reason naming the port
  // (for example "UDP port 40000 is already in use").
  static std::variant<std::unique_ptr<UdpHost>, std::string> open(const UdpHostConfig& config);
  ~UdpHost() override;
  UdpHost(const UdpHost&) = delete;
  UdpHost& operator=(const UdpHost&) = delete;

  // DatagramTransport: sends one raw datagram of ours through ENet's socket.
  void send(const Endpoint& to, ByteView bytes) override;
  Endpoint local_endpoint() const override { return local_; }

  ENetHost* enet() const { return host_; }
  int socket_fd() const { return static_cast<int>(host_->socket); }

  uint64_t datagrams_sent() const { return datagrams_sent_; }
  uint64_t send_errors() const { return send_errors_; }

 private:
  UdpHost(ENetHost* host, Endpoint local) : host_(host), local_(local) {}
  ENetHost* host_;
  Endpoint local_;
  uint64_t datagrams_sent_ = 0;
  uint64_t send_errors_ = 0;
};

Endpoint endpoint_from_enet(const ENetAddress& address);
ENetAddress enet_from_endpoint(const Endpoint& endpoint);

}  // namespace koe
