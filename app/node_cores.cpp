#include "app/node_cores.hpp"

#include "net/probe.hpp"
#include "net/wire.hpp"

namespace koe {

namespace {

// Counters change with every datagram; the UI needs them a few times a second.
constexpr Duration kPublishInterval = std::chrono::milliseconds(250);

}  // namespace

NodeCores::NodeCores(DatagramTransport& transport, AppSnapshot initial, Publish publish)
    : transport_(transport),
      state_(std::move(initial)),
      publish_(std::move(publish)),
      probe_limiter_(RateLimiterConfig{.per_second = 10, .burst = 10, .max_sources = 4096}) {
  state_.network = NetworkState::kListening;
  publish_(state_);
}

void NodeCores::drop() {
  ++state_.datagrams_dropped;
}

void NodeCores::on_datagram(TimePoint now, const Endpoint& from, ByteView bytes) {
  ++state_.datagrams_received;
  if (next_publish_ == kNever) next_publish_ = now + kPublishInterval;
  const auto packet = wire::decode_header(bytes);
  if (!packet) return drop();
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

void NodeCores::on_enet_event(TimePoint /*now*/, const ENetEvent& /*event*/) {}

void NodeCores::on_timer(TimePoint now) {
  if (now >= next_publish_) {
    publish_(state_);
    next_publish_ = kNever;
  }
}

TimePoint NodeCores::next_timeout() const { return next_publish_; }

}  // namespace koe
