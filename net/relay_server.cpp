#include "net/relay_server.hpp"

#include <sodium.h>

#include <algorithm>

namespace koe {

namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;

// A byte bucket holding at most one second of `rate`; false (and nothing taken) when
// `bytes` do not fit.
bool take_bytes(int64_t& tokens, TimePoint& last, TimePoint now, uint64_t rate, size_t bytes) {
  const auto capacity = static_cast<int64_t>(rate);
  const int64_t elapsed = std::clamp<int64_t>((now - last).count(), 0, kMicrosPerSecond);
  last = std::max(last, now);
  tokens = std::min(capacity, tokens + capacity * elapsed / kMicrosPerSecond);
  if (tokens < static_cast<int64_t>(bytes)) return false;
  tokens -= static_cast<int64_t>(bytes);
  return true;
}

bool same_ticket(const RelayTicketBytes& a, const RelayTicketBytes& b) {
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

RelayServer::RelayServer(Random& random, Endpoint self, RelayServerConfig config)
    : random_(random),
      self_(self),
      config_(config),
      control_rate_(config.control_rate),
      relay_bucket_bytes_(static_cast<int64_t>(config.relay_bytes_per_second)) {}

bool RelayServer::owns(wire::PacketType type) {
  return type == wire::PacketType::kRelayControl || type == wire::PacketType::kRelayFrame;
}

void RelayServer::on_datagram(TimePoint now, const Endpoint& from, ByteView bytes) {
  const auto header = wire::decode_header(bytes);
  if (!header || !owns(header->type)) {
    ++counters_.malformed;
    return;
  }
  if (header->type == wire::PacketType::kRelayFrame) return on_frame(now, from, bytes);
  on_control(now, from, bytes);
}

void RelayServer::send(const Endpoint& to, const RelayControl& message) {
  outbox_.push_back({to, encode_relay_control(message)});
}

uint8_t RelayServer::load_percent() const {
  if (config_.max_sessions == 0) return 100;
  return static_cast<uint8_t>(std::min<size_t>(100, sessions_.size() * 100 / config_.max_sessions));
}

void RelayServer::on_control(TimePoint now, const Endpoint& from, ByteView bytes) {
  if (!control_rate_.allow(now, from.ip)) {
    ++counters_.rate_limited;
    return;
  }
  const auto message = decode_relay_control(bytes);
  if (!message) {
    ++counters_.malformed;
    return;
  }
  if (const auto* ping = std::get_if<RelayPing>(&*message)) {
    send(from, RelayPong{ping->nonce, load_percent()});
  } else if (const auto* allocate = std::get_if<RelayAllocate>(&*message)) {
    on_allocate(now, from, *allocate);
  } else if (const auto* bind = std::get_if<RelayBind>(&*message)) {
    on_bind(now, from, *bind);
  } else if (const auto* release = std::get_if<RelayRelease>(&*message)) {
    on_release(*release);
  } else {
    ++counters_.malformed;  // a relay's own answers are never sent to a relay
  }
}

std::optional<RelayRefusal> RelayServer::admit_allocation(TimePoint now, const RelayAllocate& request) {
  // Cheap checks first; the signature (tens of microseconds) last.
  const auto wall_now = static_cast<uint64_t>((now.time_since_epoch() + config_.wall_clock_offset).count());
  const auto window = static_cast<uint64_t>(config_.timestamp_window.count());
  const uint64_t gap = request.timestamp_us > wall_now ? request.timestamp_us - wall_now : wall_now - request.timestamp_us;
  if (gap > window) return RelayRefusal::kStaleRequest;
  const auto owner = owners_.find(request.requester);
  if (owner != owners_.end() && request.timestamp_us <= owner->second.last_timestamp) return RelayRefusal::kStaleRequest;
  if (sessions_.size() >= config_.max_sessions) return RelayRefusal::kBusy;
  // Owners are remembered for replay checks; their table stays bounded too.
  if (owner == owners_.end() && owners_.size() >= 4 * std::max<size_t>(config_.max_sessions, 1)) {
    return RelayRefusal::kBusy;
  }
  if (owner != owners_.end() && owner->second.sessions >= config_.max_sessions_per_identity) {
    return RelayRefusal::kIdentityQuota;
  }
  if (!relay_allocate_signature_valid(self_, request)) return RelayRefusal::kBadSignature;
  return std::nullopt;
}

bool RelayServer::answer_retransmission(const Endpoint& from, const RelayAllocate& request) {
  const auto owner = owners_.find(request.requester);
  if (owner == owners_.end() || owner->second.last_timestamp != request.timestamp_us ||
      owner->second.last_nonce != request.nonce) {
    return false;
  }
  const auto session = sessions_.find(owner->second.last_session);
  // Only to the endpoint that allocated: a copy replayed from elsewhere gets nothing.
  if (session == sessions_.end() || session->second.sides[0] != from) return false;
  send_allocated(from, request.nonce, session->first, session->second);
  return true;
}

void RelayServer::send_allocated(const Endpoint& to, uint64_t nonce, uint32_t id, const Session& session) {
  const auto idle_s = static_cast<uint16_t>(std::min<int64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(config_.idle_timeout).count(), 0xFFFF));
  send(to, RelayAllocated{nonce, id, idle_s, {session.tickets[0], session.tickets[1]}});
}

void RelayServer::on_allocate(TimePoint now, const Endpoint& from, const RelayAllocate& request) {
  if (answer_retransmission(from, request)) return;
  if (const auto refusal = admit_allocation(now, request)) {
    ++counters_.refused;
    send(from, RelayRefused{request.nonce, *refusal});
    return;
  }
  uint32_t id = 0;
  while (id == 0 || sessions_.count(id) != 0) id = static_cast<uint32_t>(random_.next_u64());
  Session session;
  session.owner = request.requester;
  random_.fill(session.tickets[0]);
  random_.fill(session.tickets[1]);
  session.sides[0] = from;
  session.heard[0] = now;
  session.last_activity = now;
  session.bucket_time = now;
  session.bucket_bytes = static_cast<int64_t>(config_.session_bytes_per_second);
  Owner& owner = owners_[request.requester];
  ++owner.sessions;
  owner.last_timestamp = request.timestamp_us;
  owner.last_nonce = request.nonce;
  owner.last_session = id;
  send_allocated(from, request.nonce, id, session);
  sessions_.emplace(id, session);
  ++counters_.allocated;
  if (next_sweep_ == kNever) next_sweep_ = now + config_.idle_timeout / 4;
}

void RelayServer::on_bind(TimePoint now, const Endpoint& from, const RelayBind& bind) {
  const auto it = sessions_.find(bind.session_id);
  if (it == sessions_.end()) {
    send(from, RelayUnbound{bind.session_id, bind.side});
    return;
  }
  Session& s = it->second;
  if (!same_ticket(s.tickets[bind.side], bind.ticket)) {
    ++counters_.bad_ticket;
    return;
  }
  // A rebind from a new endpoint follows a roaming (or re-mapped) side.
  s.sides[bind.side] = from;
  s.heard[bind.side] = now;
  s.last_activity = now;
  const uint8_t other = bind.side ^ 1;
  uint32_t idle_ms = kRelayPeerNeverHeard;
  if (s.sides[other]) {
    idle_ms = static_cast<uint32_t>(std::min<int64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(now - s.heard[other]).count(), kRelayPeerNeverHeard - 1));
  }
  send(from, RelayBound{bind.session_id, bind.side, idle_ms});
}

void RelayServer::on_release(const RelayRelease& release) {
  const auto it = sessions_.find(release.session_id);
  if (it == sessions_.end()) return;
  if (!same_ticket(it->second.tickets[release.side], release.ticket)) {
    ++counters_.bad_ticket;
    return;
  }
  erase(it);
}

void RelayServer::erase(std::unordered_map<uint32_t, Session>::iterator it) {
  if (const auto owner = owners_.find(it->second.owner); owner != owners_.end() && owner->second.sessions > 0) {
    --owner->second.sessions;
  }
  sessions_.erase(it);
}

bool RelayServer::take_bandwidth(TimePoint now, Session& session, size_t bytes) {
  // The session's own quota first, so one greedy session cannot drain the relay's.
  int64_t session_tokens = session.bucket_bytes;
  TimePoint session_time = session.bucket_time;
  if (!take_bytes(session_tokens, session_time, now, config_.session_bytes_per_second, bytes)) return false;
  if (!take_bytes(relay_bucket_bytes_, relay_bucket_time_, now, config_.relay_bytes_per_second, bytes)) return false;
  session.bucket_bytes = session_tokens;
  session.bucket_time = session_time;
  return true;
}

void RelayServer::on_frame(TimePoint now, const Endpoint& from, ByteView bytes) {
  const auto frame = decode_relay_frame(bytes);
  if (!frame) {
    ++counters_.malformed;
    return;
  }
  const auto it = sessions_.find(frame->session_id);
  if (it == sessions_.end()) {
    ++counters_.unbound_frames;
    return;
  }
  Session& s = it->second;
  const int side = s.sides[0] == from ? 0 : s.sides[1] == from ? 1 : -1;
  if (side < 0 || !s.sides[side ^ 1]) {
    ++counters_.unbound_frames;
    return;
  }
  s.heard[side] = now;
  s.last_activity = now;
  if (!take_bandwidth(now, s, bytes.size())) {
    ++counters_.over_quota;
    return;
  }
  ++counters_.frames_forwarded;
  counters_.bytes_forwarded += bytes.size();
  // Both directions carry the identical datagram: the session id names the session
  // and the source names the side, so nothing needs rewriting.
  outbox_.push_back({*s.sides[side ^ 1], Bytes(bytes.begin(), bytes.end())});
}

void RelayServer::on_timer(TimePoint now) {
  if (now < next_sweep_) return;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (now - it->second.last_activity >= config_.idle_timeout) {
      ++counters_.expired;
      const auto next = std::next(it);
      erase(it);
      it = next;
    } else {
      ++it;
    }
  }
  // Owners without sessions are kept only while their last timestamp could be replayed.
  const auto wall_now = static_cast<uint64_t>((now.time_since_epoch() + config_.wall_clock_offset).count());
  const auto window = static_cast<uint64_t>(config_.timestamp_window.count());
  std::erase_if(owners_, [&](const auto& entry) {
    return entry.second.sessions == 0 && entry.second.last_timestamp + window < wall_now;
  });
  next_sweep_ = sessions_.empty() && owners_.empty() ? kNever : now + config_.idle_timeout / 4;
}

TimePoint RelayServer::next_timeout() const { return next_sweep_; }

}  // namespace koe
