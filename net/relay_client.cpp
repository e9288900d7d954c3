#include "net/relay_client.hpp"

#include <algorithm>

namespace koe {

RelayClient::RelayClient(const Identity& identity, Random& random, RelayClientConfig config)
    : identity_(identity), random_(random), config_(config) {}

bool RelayClient::owns(wire::PacketType type) {
  return type == wire::PacketType::kRelayControl || type == wire::PacketType::kRelayFrame;
}

// --- Ranking -----------------------------------------------------------------

void RelayClient::measure(TimePoint now, const std::vector<Endpoint>& relays) {
  pings_.clear();
  for (const Endpoint& relay : relays) pings_.push_back(Ping{relay, random_.next_u64(), 0, {}, now, std::nullopt, 0});
  on_timer(now);
}

bool RelayClient::measuring() const {
  return std::any_of(pings_.begin(), pings_.end(), [](const Ping& p) { return !p.rtt && p.next_send != kNever; });
}

std::vector<RankedRelay> RelayClient::ranked() const {
  std::vector<RankedRelay> out;
  for (const Ping& p : pings_) {
    if (p.rtt) out.push_back({p.relay, *p.rtt, p.load_percent});
  }
  std::stable_sort(out.begin(), out.end(), [](const RankedRelay& a, const RankedRelay& b) {
    return a.rtt != b.rtt ? a.rtt < b.rtt : a.load_percent < b.load_percent;
  });
  return out;
}

// --- Bindings ----------------------------------------------------------------

RelayHandle RelayClient::add(Binding binding) {
  const RelayHandle handle = next_handle_++;
  bindings_.emplace(handle, std::move(binding));
  return handle;
}

void RelayClient::send_request(TimePoint now, Binding& b) {
  outbox_.push_back({b.relay, b.request});
  ++b.sends;
  b.last_sent = now;
  b.next_send = now + config_.retransmit;
}

Bytes RelayClient::bind_request(const Binding& b) const {
  return encode_relay_control(RelayBind{b.session_id, b.side, b.ticket});
}

RelayHandle RelayClient::allocate(TimePoint now, const Endpoint& relay) {
  // Strictly increasing timestamps: the relay refuses one it has seen (a replay).
  const auto wall = static_cast<uint64_t>((now.time_since_epoch() + config_.wall_clock_offset).count());
  last_timestamp_ = std::max(wall, last_timestamp_ + 1);
  Binding b;
  b.relay = relay;
  b.state = RelayBindingState::kAllocating;
  b.nonce = random_.next_u64();
  b.request = encode_relay_control(sign_relay_allocate(identity_, relay, b.nonce, last_timestamp_));
  const RelayHandle handle = add(std::move(b));
  send_request(now, bindings_.at(handle));
  return handle;
}

RelayHandle RelayClient::join(TimePoint now, const RelayTicket& ticket) {
  Binding b;
  b.relay = ticket.relay;
  b.state = RelayBindingState::kBinding;
  b.session_id = ticket.session_id;
  b.side = ticket.side;
  b.ticket = ticket.ticket;
  b.request = bind_request(b);
  const RelayHandle handle = add(std::move(b));
  send_request(now, bindings_.at(handle));
  return handle;
}

void RelayClient::set_active(RelayHandle handle, bool active) {
  if (const auto it = bindings_.find(handle); it != bindings_.end()) it->second.active = active;
}

bool RelayClient::send(RelayHandle handle, ByteView payload) {
  const auto it = bindings_.find(handle);
  if (it == bindings_.end() || it->second.state != RelayBindingState::kBound) return false;
  auto frame = encode_relay_frame(it->second.session_id, payload);
  if (!frame) return false;
  outbox_.push_back({it->second.relay, std::move(*frame)});
  return true;
}

void RelayClient::release(RelayHandle handle) {
  const auto it = bindings_.find(handle);
  if (it == bindings_.end()) return;
  const Binding& b = it->second;
  if (b.state == RelayBindingState::kBound || b.state == RelayBindingState::kDead) {
    outbox_.push_back({b.relay, encode_relay_control(RelayRelease{b.session_id, b.side, b.ticket})});
  }
  bindings_.erase(it);
}

std::optional<RelayBindingState> RelayClient::state(RelayHandle handle) const {
  const auto it = bindings_.find(handle);
  if (it == bindings_.end()) return std::nullopt;
  return it->second.state;
}

std::optional<Endpoint> RelayClient::relay_of(RelayHandle handle) const {
  const auto it = bindings_.find(handle);
  if (it == bindings_.end()) return std::nullopt;
  return it->second.relay;
}

std::optional<Duration> RelayClient::rtt(RelayHandle handle) const {
  const auto it = bindings_.find(handle);
  if (it == bindings_.end()) return std::nullopt;
  return it->second.rtt;
}

std::optional<Duration> RelayClient::peer_quiet(TimePoint now, RelayHandle handle) const {
  const auto it = bindings_.find(handle);
  if (it == bindings_.end() || !it->second.peer_heard) return std::nullopt;
  return now - *it->second.peer_heard;
}

RelayClient::Binding* RelayClient::find(const Endpoint& relay, uint32_t session_id, RelayHandle* handle) {
  for (auto& [h, b] : bindings_) {
    if (b.relay == relay && b.session_id == session_id &&
        (b.state != RelayBindingState::kAllocating && b.state != RelayBindingState::kFailed)) {
      *handle = h;
      return &b;
    }
  }
  return nullptr;
}

// --- Input -------------------------------------------------------------------

bool RelayClient::on_datagram(TimePoint now, const Endpoint& from, ByteView bytes) {
  const auto header = wire::decode_header(bytes);
  if (!header || !owns(header->type)) return false;
  const bool known_relay = std::any_of(bindings_.begin(), bindings_.end(), [&](const auto& e) { return e.second.relay == from; }) ||
                           std::any_of(pings_.begin(), pings_.end(), [&](const Ping& p) { return p.relay == from; });
  if (!known_relay) return false;
  if (header->type == wire::PacketType::kRelayFrame) {
    on_frame(now, from, bytes);
  } else if (const auto message = decode_relay_control(bytes)) {
    on_control(now, from, *message);
  }
  return true;
}

void RelayClient::mark_heard(TimePoint now, RelayHandle handle, Binding& b) {
  b.last_heard = now;
  b.awaiting_since.reset();
  if (b.state == RelayBindingState::kBinding || b.state == RelayBindingState::kDead) {
    b.state = RelayBindingState::kBound;
    events_.push_back({RelayClientEvent::Kind::kBound, handle, std::nullopt, std::nullopt, {}});
  }
  b.next_send = kNever;
}

void RelayClient::on_frame(TimePoint now, const Endpoint& from, ByteView bytes) {
  const auto frame = decode_relay_frame(bytes);
  RelayHandle handle = 0;
  Binding* b = frame ? find(from, frame->session_id, &handle) : nullptr;
  if (b == nullptr) return;
  mark_heard(now, handle, *b);
  b->peer_heard = now;  // a frame is the peer, heard by the relay a moment ago
  events_.push_back({RelayClientEvent::Kind::kData, handle, std::nullopt, std::nullopt,
                     Bytes(frame->payload.begin(), frame->payload.end())});
}

void RelayClient::on_control(TimePoint now, const Endpoint& from, const RelayControl& message) {
  if (const auto* pong = std::get_if<RelayPong>(&message)) {
    for (Ping& p : pings_) {
      if (p.relay == from && p.nonce == pong->nonce && !p.rtt) {
        p.rtt = now - p.sent;
        p.load_percent = pong->load_percent;
        p.next_send = kNever;
      }
    }
    return;
  }
  if (const auto* allocated = std::get_if<RelayAllocated>(&message)) {
    for (auto& [handle, b] : bindings_) {
      if (b.state != RelayBindingState::kAllocating || b.relay != from || b.nonce != allocated->nonce) continue;
      b.state = RelayBindingState::kBound;
      b.session_id = allocated->session_id;
      b.side = 0;
      b.ticket = allocated->tickets[0];
      b.rtt = now - b.last_sent;
      b.last_heard = now;
      b.next_send = kNever;
      events_.push_back({RelayClientEvent::Kind::kAllocated, handle,
                         RelayTicket{from, allocated->session_id, 1, allocated->tickets[1]}, std::nullopt, {}});
    }
    return;
  }
  if (const auto* refused = std::get_if<RelayRefused>(&message)) {
    for (auto& [handle, b] : bindings_) {
      if (b.state != RelayBindingState::kAllocating || b.relay != from || b.nonce != refused->nonce) continue;
      b.state = RelayBindingState::kFailed;
      b.next_send = kNever;
      events_.push_back({RelayClientEvent::Kind::kFailed, handle, std::nullopt, refused->reason, {}});
    }
    return;
  }
  if (const auto* bound = std::get_if<RelayBound>(&message)) {
    RelayHandle handle = 0;
    Binding* b = find(from, bound->session_id, &handle);
    if (b == nullptr || b->side != bound->side) return;
    b->rtt = now - b->last_sent;
    mark_heard(now, handle, *b);
    b->peer_heard.reset();
    if (bound->peer_idle_ms != kRelayPeerNeverHeard) b->peer_heard = now - std::chrono::milliseconds(bound->peer_idle_ms);
    return;
  }
  if (const auto* unbound = std::get_if<RelayUnbound>(&message)) {
    RelayHandle handle = 0;
    Binding* b = find(from, unbound->session_id, &handle);
    if (b == nullptr || b->side != unbound->side || b->state == RelayBindingState::kDead) return;
    const bool was_bound = b->state == RelayBindingState::kBound;
    b->state = was_bound ? RelayBindingState::kDead : RelayBindingState::kFailed;
    b->next_send = kNever;
    events_.push_back({was_bound ? RelayClientEvent::Kind::kDead : RelayClientEvent::Kind::kFailed, handle,
                       std::nullopt, std::nullopt, {}});
  }
}

// --- Timers ------------------------------------------------------------------

void RelayClient::keep_alive(TimePoint now, RelayHandle handle, Binding& b) {
  const Duration interval = b.active ? config_.active_keepalive : config_.standby_keepalive;
  if (b.awaiting_since && now - *b.awaiting_since >= config_.dead_after) {
    b.state = RelayBindingState::kDead;
    b.next_send = kNever;
    b.awaiting_since.reset();
    events_.push_back({RelayClientEvent::Kind::kDead, handle, std::nullopt, std::nullopt, {}});
    return;
  }
  if (now - b.last_heard >= interval && (b.next_send == kNever || b.next_send <= now)) {
    if (!b.awaiting_since) b.awaiting_since = now;
    b.request = bind_request(b);
    send_request(now, b);
  }
}

void RelayClient::on_timer(TimePoint now) {
  for (Ping& p : pings_) {
    if (p.rtt || p.next_send > now) continue;
    if (p.sends >= config_.ping_sends) {
      p.next_send = kNever;
      continue;
    }
    outbox_.push_back({p.relay, encode_relay_control(RelayPing{p.nonce})});
    ++p.sends;
    p.sent = now;
    p.next_send = now + config_.retransmit;
  }
  for (auto& [handle, b] : bindings_) {
    switch (b.state) {
      case RelayBindingState::kAllocating:
      case RelayBindingState::kBinding:
        if (b.next_send > now) break;
        if (b.sends >= config_.max_sends) {
          b.state = RelayBindingState::kFailed;
          b.next_send = kNever;
          events_.push_back({RelayClientEvent::Kind::kFailed, handle, std::nullopt, std::nullopt, {}});
        } else {
          send_request(now, b);
        }
        break;
      case RelayBindingState::kBound: keep_alive(now, handle, b); break;
      case RelayBindingState::kDead:
      case RelayBindingState::kFailed: break;
    }
  }
}

TimePoint RelayClient::next_timeout() const {
  TimePoint next = kNever;
  for (const Ping& p : pings_) {
    if (!p.rtt) next = std::min(next, p.next_send);
  }
  for (const auto& [handle, b] : bindings_) {
    if (b.state == RelayBindingState::kAllocating || b.state == RelayBindingState::kBinding) {
      next = std::min(next, b.next_send);
    } else if (b.state == RelayBindingState::kBound) {
      const Duration interval = b.active ? config_.active_keepalive : config_.standby_keepalive;
      if (b.awaiting_since) {
        next = std::min({next, b.next_send, *b.awaiting_since + config_.dead_after});
      } else {
        next = std::min(next, b.last_heard + interval);
      }
    }
  }
  return next;
}

}  // namespace koe
