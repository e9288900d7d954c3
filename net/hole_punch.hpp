// HolePunch: one hole-punching attempt towards one peer, on the node's shared socket.
// Given both sides' offers (exchanged signed and sealed through the supernodes by the
// caller), it sends MAC'd probes on the plan's schedule, answers the peer's probes,
// and reports the first endpoint that worked both ways, or failure after about a
// second so the caller falls back to a relay; then it keeps retrying in the background
// (bounded attempts with growing pauses) until it succeeds or is stopped.
// Sans-IO (`now` passed in); net thread only; outputs via take_outbox()/take_events().
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "net/env.hpp"
#include "net/punch_messages.hpp"
#include "net/punch_plan.hpp"

namespace koe {

struct HolePunchConfig {
  Duration round_interval = std::chrono::milliseconds(50);  // between probe rounds
  Duration give_up_after = std::chrono::seconds(1);         // then kFailed: use a relay
  Duration attempt_length = std::chrono::milliseconds(2500);
  // Per attempt, over every probe it sends (so routers are never flooded).
  uint32_t max_probes_per_attempt = 256;
  uint32_t probes_per_second = 100;
  uint32_t acks_per_second = 200;  // answers to authenticated probes (replays included)
  // Pause before the first background attempt; doubled after each, up to the cap.
  Duration background_pause = std::chrono::seconds(5);
  Duration background_pause_max = std::chrono::seconds(60);
  PunchPlanLimits plan;
};

struct PunchResult {
  Endpoint remote;     // send the session here, from `socket`
  PunchPathKind kind;  // how the working target was found
  Duration rtt{0};     // probe to ack
  uint32_t attempt = 0;
  uint32_t probes_sent = 0;  // in all attempts so far
  uint16_t socket = kSharedSocket;  // a spray socket: carry the session on it
};

// A datagram for one of the attempt's spray sockets (1..n).
struct SprayDatagram {
  uint16_t socket = 1;
  Endpoint to;
  Bytes bytes;
};

struct HolePunchEvent {
  enum class Kind : uint8_t {
    kDirect,  // a direct path works (also after kFailed: move the call off the relay)
    kFailed,  // nothing yet after give_up_after (or hopeless at once): use a relay
  };
  Kind kind = Kind::kFailed;
  std::optional<PunchResult> result;  // set for kDirect
};

enum class HolePunchState : uint8_t { kWaiting, kPunching, kBackground, kConnected, kStopped };

// When to start so both sides' first probes cross in the middle: the side that sent
// the last signalling message waits half the round trip the other side needs to get it.
Duration punch_start_delay(Duration signalling_rtt, bool sent_last_message);

class HolePunch {
 public:
  // `keys` from derive_punch_keys(ours.secret, theirs.secret).
  HolePunch(Random& random, const PunchKeys& keys, const PunchOffer& ours, const PunchOffer& theirs,
            HolePunchConfig config = {});

  // The first round goes out at `at` (now, or later for a timed simultaneous start;
  // connection reversal: when one side is reachable there is nothing to time, so the
  // caller may pass `now` and plan().peer_reachable tells it so).
  void start(TimePoint at);
  void stop() { state_ = HolePunchState::kStopped; }

  // kPunchProbe / kPunchAck carrying our attempt id, received on `socket`; false for
  // anything else.
  bool on_datagram(TimePoint now, const Endpoint& from, ByteView bytes, uint16_t socket = kSharedSocket);
  // Birthday punching (plan().spray_sockets > 0): each attempt wants a fresh set of
  // spray sockets, named by a generation that grows per attempt (0: none wanted yet).
  // The caller opens them and says how many it could; until then, and for an older
  // generation, no spray probe goes out.
  uint32_t spray_generation() const { return spray_generation_; }
  void set_spray_sockets(uint32_t generation, uint32_t open);
  void on_timer(TimePoint now);
  TimePoint next_timeout() const;

  uint64_t id() const { return keys_.id; }
  HolePunchState state() const { return state_; }
  const PunchPlan& plan() const { return plan_; }
  const std::optional<PunchResult>& result() const { return result_; }
  uint32_t probes_sent() const { return probes_sent_; }
  uint32_t attempts() const { return attempt_; }
  // Datagrams with our attempt id dropped: bad MAC, our own role, or an ack that did
  // not come from where its probe went.
  uint64_t rejected() const { return rejected_; }

  std::vector<OutDatagram> take_outbox() { return std::exchange(outbox_, {}); }
  std::vector<SprayDatagram> take_spray_outbox() { return std::exchange(spray_outbox_, {}); }
  std::vector<HolePunchEvent> take_events() { return std::exchange(events_, {}); }

 private:
  struct SentProbe {
    uint64_t nonce;
    PunchTarget target;
    TimePoint at;
  };

  void begin_attempt(TimePoint now);
  void run_round(TimePoint now);
  // Triggered probes answer an authenticated probe of the peer (at most one per
  // target and round, to bounded targets) and are not held to the attempt budget.
  bool send_probe(TimePoint now, const PunchTarget& target, bool triggered);
  void send(uint16_t socket, const Endpoint& to, Bytes bytes);
  void on_probe(TimePoint now, const Endpoint& from, uint16_t socket, const PunchMessage& probe);
  void on_ack(TimePoint now, const Endpoint& from, uint16_t socket, const PunchMessage& ack);
  void fail();
  bool ack_allowed(TimePoint now);

  Random& random_;
  PunchKeys keys_;
  PunchOffer ours_;
  PunchOffer theirs_;
  HolePunchConfig config_;
  PunchPlan plan_;
  HolePunchState state_ = HolePunchState::kWaiting;
  std::optional<PunchResult> result_;
  bool failed_reported_ = false;

  TimePoint started_ = kNever;         // first attempt
  TimePoint attempt_start_ = kNever;
  TimePoint next_round_ = kNever;
  TimePoint next_attempt_ = kNever;
  uint32_t attempt_ = 0;
  uint32_t round_ = 0;
  uint32_t attempt_probes_ = 0;
  uint32_t probes_sent_ = 0;
  size_t guess_cursor_ = 0;
  Duration pause_{0};
  uint32_t spray_generation_ = 0;
  uint32_t spray_open_ = 0;  // sockets of the current generation the caller opened
  std::vector<PunchTarget> peer_reflexive_;  // learnt from the peer's probes
  std::unordered_map<uint64_t, TimePoint> last_sent_to_;  // by target_key()
  std::deque<SentProbe> sent_;               // bounded; acks are matched against it
  TimePoint ack_window_ = TimePoint{};
  uint32_t acks_in_window_ = 0;
  uint64_t rejected_ = 0;

  std::vector<OutDatagram> outbox_;
  std::vector<SprayDatagram> spray_outbox_;
  std::vector<HolePunchEvent> events_;
};

}  // namespace koe
