// CallSignalling: the node's call state machine (docs/calls.md): invite, ringing,
// accept, decline, busy, no answer, cancel, hang-up from either side, a vanished peer,
// who may call (contacts, or anyone if allowed; never a blocked ID) and one call at a
// time. Sans-IO: `now` is passed in, control messages to send and events for the app
// are collected by the caller. Net thread; reads the ContactList the node owns.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "app/contacts.hpp"
#include "app/control_messages.hpp"
#include "net/clock.hpp"
#include "net/env.hpp"
#include "net/expected.hpp"

namespace koe {

struct CallSignallingConfig {
  // An unanswered call stops ringing after this long (the caller cancels; the callee
  // waits a little longer, kCalleeRingGrace, so the caller's cancel normally wins).
  Duration no_answer_timeout = std::chrono::seconds(45);
  // The caller gives up when not even "ringing" came back this long after dialling;
  // generous because finding the peer and punching through NATs come first.
  Duration reach_timeout = std::chrono::seconds(20);
  // Each side pings the other this often during a call (liveness and round-trip time).
  Duration ping_interval = std::chrono::seconds(2);
  // Nothing heard from the peer this long ends the call: with 2 s pings, a vanished
  // peer ends the call 8 s after its last packet (issue: within 10 s).
  Duration peer_silence_timeout = std::chrono::seconds(8);
  // By default only accepted contacts may call.
  bool accept_from_anyone = false;
  // Incoming calls are declined with DeclineReason::kDoNotDisturb without ringing.
  bool do_not_disturb = false;
};

inline constexpr Duration kCalleeRingGrace = std::chrono::seconds(5);

enum class CallDirection : uint8_t { kOutgoing, kIncoming };

enum class CallState : uint8_t {
  kCalling,  // outgoing: invite sent, nothing back yet
  kRinging,  // outgoing: the peer's device rings; incoming: ours rings
  kActive,   // accepted: voice flows
};

enum class CallEndReason : uint8_t {
  kHungUp,         // we hung up an active call
  kPeerHungUp,     // the peer hung up
  kCancelled,      // we gave up calling before an answer
  kPeerCancelled,  // the caller gave up while we rang (a missed call)
  kDeclined,       // we declined
  kPeerDeclined,   // the callee declined
  kBusy,           // the callee was in another call
  kNotAllowed,     // the callee takes calls from its contacts only (or blocked the caller)
  kDoNotDisturb,   // the callee's presence was "do not disturb"
  kNoAnswer,       // rang for no_answer_timeout without an answer
  kUnreachable,    // the callee never answered the invite at all
  kPeerVanished,   // nothing heard from the peer for peer_silence_timeout
  kReplaced,       // both called each other at once: the other call took over
};

// Stable lowercase name ("peer_vanished", ...) for logs, JSON and the UI's wording.
std::string_view to_string(CallEndReason reason);

struct CallInfo {
  CallId id = 0;
  NodeId peer;
  CallDirection direction = CallDirection::kOutgoing;
  CallState state = CallState::kCalling;
  TimePoint started{};                // dialled, or the invite arrived
  std::optional<TimePoint> answered;  // accepted (setup time = answered - started)
  std::optional<Duration> rtt;        // the latest ping's round trip
};

struct CallEvent {
  enum class Kind : uint8_t {
    kIncoming,     // a call rings here: accept or decline it
    kPeerRinging,  // our call rings at the peer
    kConnected,    // accepted by either side: start the voice stream
    kEnded,        // `reason` says why: stop the voice stream
    kRejected,     // an incoming invite was refused without ringing (`reason`: kBusy,
                   // kNotAllowed or kDoNotDisturb), e.g. for a missed-calls list
  };
  Kind kind;
  CallId call = 0;
  NodeId peer;
  CallEndReason reason = CallEndReason::kHungUp;  // kEnded and kRejected only
};

enum class StartCallError : uint8_t {
  kBusy,     // a call is already in progress
  kSelf,     // our own ID
  kBlocked,  // we blocked this ID
};
std::string_view to_string(StartCallError error);

class CallSignalling {
 public:
  CallSignalling(Random& random, const ContactList& contacts, const NodeId& self, CallSignallingConfig config = {});

  void set_accept_from_anyone(bool on) { config_.accept_from_anyone = on; }
  void set_do_not_disturb(bool on) { config_.do_not_disturb = on; }

  // User commands. start_call sends an invite under a new random call ID.
  Expected<CallId, StartCallError> start_call(TimePoint now, const NodeId& peer);
  // The ringing incoming call: false if `call` is not it.
  bool accept(TimePoint now, CallId call);
  bool decline(TimePoint now, CallId call);
  // Ends `call` whatever its state (cancel, decline or hang up); false if unknown.
  bool hang_up(TimePoint now, CallId call);

  // A control message from `from` (authenticated by its session). Returns false for
  // messages that are not about calls (contact, presence, receiver reports).
  bool on_message(TimePoint now, const NodeId& from, const ControlMessage& message);
  // Anything else authenticated from `from` (voice packets): the peer is alive.
  void on_peer_activity(TimePoint now, const NodeId& from);
  // The link with `peer` went down, or came up. Control messages handed to a link
  // that then failed are lost with it: a caller whose invite may have been says it
  // again when the link is back (the callee answers a repeated invite).
  void on_link_down(const NodeId& peer);
  void on_link_up(const NodeId& peer);

  void on_timer(TimePoint now);
  TimePoint next_timeout() const;

  // The call in progress, if any (at most one).
  const CallInfo* call() const { return call_ ? &*call_ : nullptr; }

  std::vector<OutgoingControl> take_outbox() { return std::exchange(outbox_, {}); }
  std::vector<CallEvent> take_events() { return std::exchange(events_, {}); }
  // Call messages that matched no call or came from the wrong peer.
  uint64_t ignored() const { return ignored_; }

 private:
  struct Timer {
    TimePoint at;
    CallEndReason reason;
  };

  void on_invite(TimePoint now, const NodeId& from, CallId id);
  void answer_repeated_invite();
  bool resolve_glare(TimePoint now, const NodeId& from, CallId id);
  void on_call_message(TimePoint now, const NodeId& from, const ControlMessage& message, CallId id);
  void on_stray_message(const NodeId& from, const ControlMessage& message, CallId id);
  void begin(TimePoint now, CallId id, const NodeId& peer, CallDirection direction, CallState state);
  void connect(TimePoint now);
  void end(CallEndReason reason);
  Timer end_timer() const;
  void send(const NodeId& to, ControlMessage message) { outbox_.push_back({to, std::move(message)}); }
  void emit(CallEvent::Kind kind, CallEndReason reason = CallEndReason::kHungUp);

  Random& random_;
  const ContactList& contacts_;
  NodeId self_;
  CallSignallingConfig config_;

  std::optional<CallInfo> call_;
  bool invite_may_be_lost_ = false;  // the link went down while we were calling
  TimePoint last_heard_{};
  TimePoint next_ping_ = kNever;
  uint32_t ping_sequence_ = 0;
  TimePoint ping_sent_{};

  std::vector<OutgoingControl> outbox_;
  std::vector<CallEvent> events_;
  uint64_t ignored_ = 0;
};

}  // namespace koe
