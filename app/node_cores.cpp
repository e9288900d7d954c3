#include "app/node_cores.hpp"

#include <algorithm>

#include "net/probe.hpp"
#include "net/wire.hpp"

namespace koe {

namespace {

// Counters change with every datagram; the UI needs them a few times a second.
constexpr Duration kPublishInterval = std::chrono::milliseconds(250);

}  // namespace

namespace {

SessionManagerConfig session_config() {
  SessionManagerConfig config;
  // Initiation timestamps must grow across restarts: anchor them to the wall clock.
  const auto unix_now = std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch());
  const auto steady_now = SteadyClock().now().time_since_epoch();
  config.wall_clock_offset = unix_now - steady_now;
  return config;
}

}  // namespace

NodeCores::NodeCores(const Identity& identity, UdpHost& host, AppSnapshot initial, Publish publish)
    : transport_(host),
      secure_(identity, host, host.enet(), random_, session_config()),
      state_(std::move(initial)),
      publish_(std::move(publish)),
      probe_limiter_(RateLimiterConfig{.per_second = 10, .burst = 10, .max_sources = 4096}) {
  state_.network = NetworkState::kListening;
  publish_(state_);
}

void NodeCores::drop() {
  ++state_.datagrams_dropped;
}

void NodeCores::note_activity(TimePoint now) {
  if (next_publish_ == kNever) next_publish_ = now + kPublishInterval;
}

void NodeCores::on_datagram(TimePoint now, const Endpoint& from, ByteView bytes) {
  ++state_.datagrams_received;
  note_activity(now);
  const auto packet = wire::decode_header(bytes);
  if (!packet) return drop();
  if (SecureTransport::owns(packet->type)) return secure_.on_datagram(now, from, bytes);
  switch (packet->type) {
    case wire::PacketType::kProbeRequest:
      return answer_probe(now, from, bytes);
    default:
      return drop();  // a type whose owning core this node does not run (yet)
  }
}

void NodeCores::answer_probe(TimePoint now, const Endpoint& from, ByteView bytes) {
  if (!probe_limiter_.allow(now, from.ip)) return drop();
  auto response = respond_to_probe(from, bytes);
  if (!response) return drop();
  transport_.send(from, *response);
}

void NodeCores::on_enet_event(TimePoint now, const ENetEvent& event) {
  note_activity(now);
  secure_.on_enet_event(now, event);
  secure_.take_events();  // link events get their consumers with calls (issue 6)
}

void NodeCores::refresh_statistics() {
  state_.sessions = secure_.sessions().peer_count();
  state_.drops.clear();
  const DropCounters drops = secure_.drops();
  drops.for_each([&](DropReason reason, uint64_t count) {
    if (count > 0) state_.drops.emplace_back(std::string(drop_reason_name(reason)), count);
  });
}

void NodeCores::on_timer(TimePoint now) {
  if (secure_.next_timeout() <= now) secure_.on_timer(now);
  if (now >= next_publish_) {
    refresh_statistics();
    publish_(state_);
    next_publish_ = kNever;
  }
}

TimePoint NodeCores::next_timeout() const { return std::min(next_publish_, secure_.next_timeout()); }

}  // namespace koe
