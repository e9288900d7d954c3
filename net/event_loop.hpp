// EventLoop: the net thread's driver. It owns the UdpHost, sleeps in poll(2)
// until a datagram, a posted command or the handler's next timeout, then routes
// our datagrams (ENet's intercept hook) and ENet events to the handler.
// run() on the net thread; post() and stop() from any thread.
#pragma once

#include <enet/enet.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "net/clock.hpp"
#include "net/udp_host.hpp"

namespace koe {

// What the loop drives: the node's protocol cores behind one facade.
class LoopHandler {
 public:
  virtual ~LoopHandler() = default;
  // One of our own datagrams (first byte wire::kMagic); `bytes` is valid only during the call.
  virtual void on_datagram(TimePoint now, const Endpoint& from, ByteView bytes) = 0;
  virtual void on_enet_event(TimePoint now, const ENetEvent& event) = 0;
  virtual void on_timer(TimePoint now) = 0;
  virtual TimePoint next_timeout() const = 0;
  // Further sockets of the handler's (relay tunnels) to wake for, and the call when
  // one is readable.
  virtual std::vector<int> watched_fds() const { return {}; }
  virtual void on_readable(TimePoint /*now*/, int /*fd*/) {}
};

struct LoopStats {
  uint64_t wakeups = 0;
  uint64_t koe_datagrams = 0;   // routed to the handler
  uint64_t enet_events = 0;
  uint64_t commands = 0;
};

class EventLoop {
 public:
  EventLoop(std::unique_ptr<UdpHost> host, const Clock& clock);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Runs until stop(); the handler must outlive the call.
  void run(LoopHandler& handler);
  // One iteration: waits at most `max_wait_ms` (or the handler's timeout, if
  // sooner), then handles what arrived. For tests that drive several loops on one thread.
  void run_once(LoopHandler& handler, int max_wait_ms);
  // Thread-safe: ends run() after the current iteration.
  void stop();
  // Thread-safe: runs `command` on the net thread soon.
  void post(std::function<void()> command);

  UdpHost& host() { return *host_; }
  const LoopStats& stats() const { return stats_; }  // net thread only

 private:
  static int intercept(ENetHost* host, ENetEvent* event);
  void wake();
  void drain_wakeups();
  void run_commands();
  void service_enet(LoopHandler& handler);
  int poll_timeout_ms(const LoopHandler& handler) const;
  void iterate(LoopHandler& handler, int timeout_ms);

  std::unique_ptr<UdpHost> host_;
  const Clock& clock_;
  int wake_fd_;  // eventfd written by post() and stop()
  std::atomic<bool> stopping_{false};
  std::mutex commands_mutex_;
  std::vector<std::function<void()>> commands_;
  LoopHandler* handler_ = nullptr;  // set during run(), for the intercept hook
  LoopStats stats_;
};

}  // namespace koe
