// NodeCores: the node's protocol cores behind the EventLoop's handler interface;
// routes each of our datagrams to the module that owns its packet type.
// Net thread only (constructed on the main thread before the net thread starts).
#pragma once

#include <functional>

#include "app/app_snapshot.hpp"
#include "net/event_loop.hpp"
#include "net/random.hpp"
#include "net/rate_limiter.hpp"
#include "net/secure_transport.hpp"

namespace koe {

class NodeCores final : public LoopHandler {
 public:
  using Publish = std::function<void(const AppSnapshot&)>;
  NodeCores(const Identity& identity, UdpHost& host, AppSnapshot initial, Publish publish);

  void on_datagram(TimePoint now, const Endpoint& from, ByteView bytes) override;
  void on_enet_event(TimePoint now, const ENetEvent& event) override;
  void on_timer(TimePoint now) override;
  TimePoint next_timeout() const override;

 private:
  void answer_probe(TimePoint now, const Endpoint& from, ByteView bytes);
  void drop();
  void note_activity(TimePoint now);
  void refresh_statistics();

  DatagramTransport& transport_;
  SystemRandom random_;
  SecureTransport secure_;
  AppSnapshot state_;
  Publish publish_;
  RateLimiter probe_limiter_;
  TimePoint next_publish_ = kNever;
};

}  // namespace koe
