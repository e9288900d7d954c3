// RelayServer: the relay role of a relay-capable supernode. Allocates sessions to
// nodes that sign their request with their identity, binds each side's endpoint by
// ticket, and forwards frames between the two sides without reading them (they are
// sealed end to end). Quotas on sessions (per relay, per identity) and bandwidth (per
// relay, per session), rate limits per source IP before any signature check; a session
// ends only when idle or released, never because of its age or byte count.
// Sans-IO (`now` passed in); net thread only; outputs via take_outbox().
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "net/env.hpp"
#include "net/rate_limiter.hpp"
#include "net/relay_messages.hpp"

namespace koe {

struct RelayServerConfig {
  size_t max_sessions = 1000;
  size_t max_sessions_per_identity = 4;
  // Forwarded bytes per second over all sessions (the relay's bandwidth quota) and per
  // session (both directions together): 256 kbit/s is four times a rich voice call.
  uint64_t relay_bytes_per_second = 12'500'000;
  uint64_t session_bytes_per_second = 32'000;
  Duration idle_timeout = std::chrono::seconds(60);
  // Allocate, bind, release and ping per source IP, checked before any crypto.
  RateLimiterConfig control_rate{.per_second = 20, .burst = 10, .max_sources = 4096};
  // Allocation timestamps must be within this of our wall clock...
  Duration timestamp_window = std::chrono::minutes(2);
  // ...where Unix time = now.time_since_epoch() + wall_clock_offset.
  Duration wall_clock_offset{0};
};

struct RelayServerCounters {
  uint64_t allocated = 0;
  uint64_t refused = 0;
  uint64_t frames_forwarded = 0;
  uint64_t bytes_forwarded = 0;
  uint64_t over_quota = 0;      // frames dropped by the relay's or the session's bandwidth
  uint64_t unbound_frames = 0;  // frames from an endpoint that is not a bound side
  uint64_t bad_ticket = 0;
  uint64_t malformed = 0;
  uint64_t rate_limited = 0;
  uint64_t expired = 0;  // sessions freed after idle_timeout
};

class RelayServer {
 public:
  // `self` is this relay's endpoint as nodes address it (allocations are signed for it).
  RelayServer(Random& random, Endpoint self, RelayServerConfig config = {});
  RelayServer(const RelayServer&) = delete;  // its rate limiter's table cannot be copied
  RelayServer& operator=(const RelayServer&) = delete;

  // kRelayControl and kRelayFrame.
  static bool owns(wire::PacketType type);
  void on_datagram(TimePoint now, const Endpoint& from, ByteView bytes);
  void on_timer(TimePoint now);
  TimePoint next_timeout() const;

  size_t session_count() const { return sessions_.size(); }
  const RelayServerCounters& counters() const { return counters_; }
  std::vector<OutDatagram> take_outbox() { return std::exchange(outbox_, {}); }

 private:
  struct Session {
    PublicKey owner{};
    RelayTicketBytes tickets[2]{};
    std::optional<Endpoint> sides[2];
    TimePoint heard[2]{};  // last datagram from each side
    TimePoint last_activity{};
    TimePoint bucket_time{};
    int64_t bucket_bytes = 0;
  };
  struct Owner {
    size_t sessions = 0;
    uint64_t last_timestamp = 0;
    // The last accepted request, so a retransmission (its answer was lost) gets the
    // same session again instead of a refusal.
    uint64_t last_nonce = 0;
    uint32_t last_session = 0;
  };

  void on_control(TimePoint now, const Endpoint& from, ByteView bytes);
  void on_frame(TimePoint now, const Endpoint& from, ByteView bytes);
  void on_allocate(TimePoint now, const Endpoint& from, const RelayAllocate& request);
  void on_bind(TimePoint now, const Endpoint& from, const RelayBind& bind);
  void on_release(const RelayRelease& release);
  void send(const Endpoint& to, const RelayControl& message);
  std::optional<RelayRefusal> admit_allocation(TimePoint now, const RelayAllocate& request);
  bool answer_retransmission(const Endpoint& from, const RelayAllocate& request);
  void send_allocated(const Endpoint& to, uint64_t nonce, uint32_t id, const Session& session);
  bool take_bandwidth(TimePoint now, Session& session, size_t bytes);
  void erase(std::unordered_map<uint32_t, Session>::iterator it);
  uint8_t load_percent() const;

  Random& random_;
  Endpoint self_;
  RelayServerConfig config_;
  RateLimiter control_rate_;
  std::unordered_map<uint32_t, Session> sessions_;
  std::map<PublicKey, Owner> owners_;
  TimePoint relay_bucket_time_{};
  int64_t relay_bucket_bytes_ = 0;
  TimePoint next_sweep_ = kNever;
  std::vector<OutDatagram> outbox_;
  RelayServerCounters counters_;
};

}  // namespace koe
