#include "net/event_loop.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <utility>

#include "net/wire.hpp"

namespace koe {

namespace {

// ENet has no "next timer" API: while it has peers it needs servicing for its
// own retransmissions and pings, so the loop never sleeps longer than this then.
constexpr int kEnetServiceIntervalMs = 25;

// The intercept hook receives no user pointer; the loop running on this thread is it.
thread_local EventLoop* t_running_loop = nullptr;

}  // namespace

EventLoop::EventLoop(std::unique_ptr<UdpHost> host, const Clock& clock)
    : host_(std::move(host)), clock_(clock), wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (wake_fd_ < 0) throw std::runtime_error("eventfd failed");
  host_->enet()->intercept = &EventLoop::intercept;
}

EventLoop::~EventLoop() { ::close(wake_fd_); }

void EventLoop::stop() {
  stopping_.store(true, std::memory_order_release);
  wake();
}

void EventLoop::post(std::function<void()> command) {
  {
    std::lock_guard lock(commands_mutex_);
    commands_.push_back(std::move(command));
  }
  wake();
}

void EventLoop::wake() {
  const uint64_t one = 1;
  // A full eventfd counter still wakes the loop, so a failed write needs no retry.
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void EventLoop::drain_wakeups() {
  uint64_t count = 0;
  [[maybe_unused]] auto n = ::read(wake_fd_, &count, sizeof count);
}

void EventLoop::run_commands() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(commands_mutex_);
    batch.swap(commands_);
  }
  for (auto& command : batch) {
    command();
    ++stats_.commands;
  }
}

int EventLoop::intercept(ENetHost* host, ENetEvent* /*event*/) {
  EventLoop* loop = t_running_loop;
  const ByteView bytes(host->receivedData, host->receivedDataLength);
  if (loop == nullptr || !wire::is_koe_datagram(bytes)) return 0;  // ENet's own
  ++loop->stats_.koe_datagrams;
  loop->handler_->on_datagram(loop->clock_.now(), endpoint_from_enet(host->receivedAddress), bytes);
  return 1;
}

void EventLoop::service_enet(LoopHandler& handler) {
  ENetEvent event;
  // Each call reads what is pending and reports at most one event; repeat until idle.
  while (enet_host_service(host_->enet(), &event, 0) > 0) {
    ++stats_.enet_events;
    handler.on_enet_event(clock_.now(), event);
    if (event.type == ENET_EVENT_TYPE_RECEIVE) enet_packet_destroy(event.packet);
  }
}

int EventLoop::poll_timeout_ms(const LoopHandler& handler) const {
  const TimePoint next = handler.next_timeout();
  int timeout = -1;  // sleep until a datagram or a command
  if (next != kNever) {
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - clock_.now()).count();
    timeout = static_cast<int>(std::clamp<int64_t>(wait, 0, 60'000));
  }
  if (host_->enet()->connectedPeers > 0)
    timeout = timeout < 0 ? kEnetServiceIntervalMs : std::min(timeout, kEnetServiceIntervalMs);
  return timeout;
}

void EventLoop::iterate(LoopHandler& handler, int timeout_ms) {
  std::vector<pollfd> fds = {{host_->socket_fd(), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  for (const int fd : handler.watched_fds()) fds.push_back({fd, POLLIN, 0});
  const int rc = ::poll(fds.data(), fds.size(), timeout_ms);
  if (rc < 0 && errno != EINTR) return;
  ++stats_.wakeups;
  if (fds[1].revents & POLLIN) drain_wakeups();
  run_commands();
  service_enet(handler);
  for (size_t i = 2; i < fds.size(); ++i)
    if (fds[i].revents & POLLIN) handler.on_readable(clock_.now(), fds[i].fd);
  if (handler.next_timeout() <= clock_.now()) handler.on_timer(clock_.now());
  enet_host_flush(host_->enet());
}

void EventLoop::run(LoopHandler& handler) {
  handler_ = &handler;
  t_running_loop = this;
  while (!stopping_.load(std::memory_order_acquire)) iterate(handler, poll_timeout_ms(handler));
  t_running_loop = nullptr;
  handler_ = nullptr;
}

void EventLoop::run_once(LoopHandler& handler, int max_wait_ms) {
  handler_ = &handler;
  EventLoop* const outer = std::exchange(t_running_loop, this);
  const int timeout = poll_timeout_ms(handler);
  iterate(handler, timeout < 0 ? max_wait_ms : std::min(timeout, max_wait_ms));
  t_running_loop = outer;
  handler_ = nullptr;
}

}  // namespace koe
