#include "app/call_signalling.hpp"

#include <algorithm>
#include <type_traits>

namespace koe {

namespace {

// Receiver reports name a call too, but ride in the voice stream, not signalling.
template <class M>
constexpr bool kIsCallMessage = requires(const M& m) { m.call_id; } && !std::is_same_v<M, ReceiverReport>;

// The call ID of a signalling message (invite ... hang-up, ping, pong); nullopt for the rest.
std::optional<CallId> call_id_of(const ControlMessage& message) {
  return std::visit(
      [](const auto& m) -> std::optional<CallId> {
        if constexpr (kIsCallMessage<std::decay_t<decltype(m)>>) {
          return m.call_id;
        } else {
          return std::nullopt;
        }
      },
      message);
}

// Messages that expect the call to go on: answered with a hang-up when it does not,
// so a peer never stays in a call we no longer have. Ending messages are never
// answered (two nodes would otherwise bounce hang-ups forever).
bool expects_live_call(const ControlMessage& message) {
  return std::holds_alternative<CallRinging>(message) || std::holds_alternative<CallAccept>(message) ||
         std::holds_alternative<Ping>(message);
}

CallEndReason end_reason_for(DeclineReason reason) {
  switch (reason) {
    case DeclineReason::kDeclined:
      return CallEndReason::kPeerDeclined;
    case DeclineReason::kNotAllowed:
      return CallEndReason::kNotAllowed;
    case DeclineReason::kDoNotDisturb:
      return CallEndReason::kDoNotDisturb;
  }
  return CallEndReason::kPeerDeclined;
}

}  // namespace

std::string_view to_string(CallEndReason reason) {
  switch (reason) {
    case CallEndReason::kHungUp:
      return "hung_up";
    case CallEndReason::kPeerHungUp:
      return "peer_hung_up";
    case CallEndReason::kCancelled:
      return "cancelled";
    case CallEndReason::kPeerCancelled:
      return "peer_cancelled";
    case CallEndReason::kDeclined:
      return "declined";
    case CallEndReason::kPeerDeclined:
      return "peer_declined";
    case CallEndReason::kBusy:
      return "busy";
    case CallEndReason::kNotAllowed:
      return "not_allowed";
    case CallEndReason::kDoNotDisturb:
      return "do_not_disturb";
    case CallEndReason::kNoAnswer:
      return "no_answer";
    case CallEndReason::kUnreachable:
      return "unreachable";
    case CallEndReason::kPeerVanished:
      return "peer_vanished";
    case CallEndReason::kReplaced:
      return "replaced";
  }
  return "unknown";
}

std::string_view to_string(StartCallError error) {
  switch (error) {
    case StartCallError::kBusy:
      return "another call is in progress";
    case StartCallError::kSelf:
      return "that is your own ID";
    case StartCallError::kBlocked:
      return "you blocked this ID; unblock it first";
  }
  return "cannot call";
}

CallSignalling::CallSignalling(Random& random, const ContactList& contacts, const NodeId& self,
                               CallSignallingConfig config)
    : random_(random), contacts_(contacts), self_(self), config_(config) {}

// --- user commands -------------------------------------------------------------------

Expected<CallId, StartCallError> CallSignalling::start_call(TimePoint now, const NodeId& peer) {
  if (call_) return Failure{StartCallError::kBusy};
  if (peer == self_) return Failure{StartCallError::kSelf};
  if (contacts_.is_blocked(peer)) return Failure{StartCallError::kBlocked};
  const CallId id = random_.next_u64();
  begin(now, id, peer, CallDirection::kOutgoing, CallState::kCalling);
  send(peer, CallInvite{id});
  return id;
}

bool CallSignalling::accept(TimePoint now, CallId call) {
  if (!call_ || call_->id != call || call_->direction != CallDirection::kIncoming ||
      call_->state != CallState::kRinging) {
    return false;
  }
  send(call_->peer, CallAccept{call});
  connect(now);
  return true;
}

bool CallSignalling::decline(TimePoint, CallId call) {
  if (!call_ || call_->id != call || call_->direction != CallDirection::kIncoming ||
      call_->state != CallState::kRinging) {
    return false;
  }
  send(call_->peer, CallDecline{call, DeclineReason::kDeclined});
  end(CallEndReason::kDeclined);
  return true;
}

bool CallSignalling::hang_up(TimePoint now, CallId call) {
  if (!call_ || call_->id != call) return false;
  if (call_->state == CallState::kActive) {
    send(call_->peer, CallHangup{call});
    end(CallEndReason::kHungUp);
  } else if (call_->direction == CallDirection::kIncoming) {
    decline(now, call);
  } else {
    send(call_->peer, CallCancel{call});
    end(CallEndReason::kCancelled);
  }
  return true;
}

// --- messages from peers -----------------------------------------------------------

bool CallSignalling::on_message(TimePoint now, const NodeId& from, const ControlMessage& message) {
  const std::optional<CallId> id = call_id_of(message);
  if (!id) return false;
  if (std::holds_alternative<CallInvite>(message)) {
    on_invite(now, from, *id);
  } else if (call_ && call_->id == *id && call_->peer == from) {
    on_call_message(now, from, message, *id);
  } else {
    on_stray_message(from, message, *id);
  }
  return true;
}

void CallSignalling::on_invite(TimePoint now, const NodeId& from, CallId id) {
  if (call_ && call_->id == id && call_->peer == from) return answer_repeated_invite();
  if (resolve_glare(now, from, id)) return;
  // A blocked ID is refused like any stranger (it learns nothing more) but never shown.
  if (contacts_.is_blocked(from)) {
    send(from, CallDecline{id, DeclineReason::kNotAllowed});
    return;
  }
  std::optional<CallEndReason> refused;
  if (!config_.accept_from_anyone && !contacts_.is_accepted(from)) {
    refused = CallEndReason::kNotAllowed;
    send(from, CallDecline{id, DeclineReason::kNotAllowed});
  } else if (call_) {
    refused = CallEndReason::kBusy;
    send(from, CallBusy{id});
  } else if (config_.do_not_disturb) {
    refused = CallEndReason::kDoNotDisturb;
    send(from, CallDecline{id, DeclineReason::kDoNotDisturb});
  }
  if (refused) {
    events_.push_back({CallEvent::Kind::kRejected, id, from, *refused});
    return;
  }
  begin(now, id, from, CallDirection::kIncoming, CallState::kRinging);
  send(from, CallRinging{id});
  emit(CallEvent::Kind::kIncoming);
}

// The caller did not hear our answer (its link with us failed in between): say it again.
void CallSignalling::answer_repeated_invite() {
  if (call_->direction != CallDirection::kIncoming) return;
  if (call_->state == CallState::kRinging) send(call_->peer, CallRinging{call_->id});
  if (call_->state == CallState::kActive) send(call_->peer, CallAccept{call_->id});
}

// Both nodes called each other at once: both want the call, so one call is kept and
// connected at once. Each side keeps the invite with the larger call ID: the side whose
// own ID is smaller replaces its call with the peer's and accepts it; the other ignores
// the smaller invite, knowing its own is being accepted. Equal IDs fall through to busy.
bool CallSignalling::resolve_glare(TimePoint now, const NodeId& from, CallId id) {
  if (!call_ || call_->direction != CallDirection::kOutgoing || call_->state == CallState::kActive ||
      call_->peer != from || id == call_->id) {
    return false;
  }
  if (id < call_->id) return true;
  const TimePoint dialled = call_->started;
  end(CallEndReason::kReplaced);
  begin(now, id, from, CallDirection::kIncoming, CallState::kRinging);
  call_->started = dialled;  // setup time counts from our own dialling
  send(from, CallAccept{id});
  connect(now);
  return true;
}

void CallSignalling::on_call_message(TimePoint now, const NodeId& from, const ControlMessage& message, CallId id) {
  last_heard_ = now;
  const bool outgoing = call_->direction == CallDirection::kOutgoing;
  const bool active = call_->state == CallState::kActive;
  if (std::holds_alternative<CallRinging>(message)) {
    if (outgoing && call_->state == CallState::kCalling) {
      call_->state = CallState::kRinging;
      next_ping_ = now + config_.ping_interval;
      emit(CallEvent::Kind::kPeerRinging);
    }
  } else if (std::holds_alternative<CallAccept>(message)) {
    if (outgoing && !active) connect(now);
  } else if (const auto* decline_message = std::get_if<CallDecline>(&message)) {
    if (outgoing && !active) end(end_reason_for(decline_message->reason));
  } else if (std::holds_alternative<CallBusy>(message)) {
    if (outgoing && !active) end(CallEndReason::kBusy);
  } else if (std::holds_alternative<CallCancel>(message)) {
    if (!outgoing) end(CallEndReason::kPeerCancelled);
  } else if (std::holds_alternative<CallHangup>(message)) {
    end(CallEndReason::kPeerHungUp);
  } else if (const auto* ping = std::get_if<Ping>(&message)) {
    send(from, Pong{id, ping->sequence});
  } else if (const auto* pong = std::get_if<Pong>(&message)) {
    if (pong->sequence == ping_sequence_ && ping_sent_ <= now) call_->rtt = now - ping_sent_;
  }
}

void CallSignalling::on_stray_message(const NodeId& from, const ControlMessage& message, CallId id) {
  ++ignored_;
  if (expects_live_call(message)) send(from, CallHangup{id});
}

void CallSignalling::on_link_down(const NodeId& peer) {
  if (call_ && call_->peer == peer && call_->direction == CallDirection::kOutgoing &&
      call_->state == CallState::kCalling)
    invite_may_be_lost_ = true;
}

void CallSignalling::on_link_up(const NodeId& peer) {
  if (!invite_may_be_lost_ || !call_ || call_->peer != peer || call_->state != CallState::kCalling) return;
  invite_may_be_lost_ = false;
  send(peer, CallInvite{call_->id});
}

void CallSignalling::on_peer_activity(TimePoint now, const NodeId& from) {
  if (call_ && call_->peer == from && call_->state != CallState::kCalling) last_heard_ = now;
}

// --- timers ----------------------------------------------------------------------------

CallSignalling::Timer CallSignalling::end_timer() const {
  const TimePoint silent = last_heard_ + config_.peer_silence_timeout;
  if (call_->state == CallState::kActive) return {silent, CallEndReason::kPeerVanished};
  if (call_->direction == CallDirection::kOutgoing && call_->state == CallState::kCalling) {
    return {call_->started + config_.reach_timeout, CallEndReason::kUnreachable};
  }
  Duration ring_limit = config_.no_answer_timeout;
  if (call_->direction == CallDirection::kIncoming) ring_limit += kCalleeRingGrace;
  const TimePoint no_answer = call_->started + ring_limit;
  if (silent < no_answer) return {silent, CallEndReason::kPeerVanished};
  return {no_answer, CallEndReason::kNoAnswer};
}

void CallSignalling::on_timer(TimePoint now) {
  if (!call_) return;
  const Timer timer = end_timer();
  if (now >= timer.at) {
    // A caller giving up cancels, so an invite still on its way never rings later.
    if (call_->direction == CallDirection::kOutgoing && call_->state != CallState::kActive) {
      send(call_->peer, CallCancel{call_->id});
    }
    end(timer.reason);
    return;
  }
  if (now >= next_ping_) {
    ++ping_sequence_;
    ping_sent_ = now;
    send(call_->peer, Ping{call_->id, ping_sequence_});
    next_ping_ = now + config_.ping_interval;
  }
}

TimePoint CallSignalling::next_timeout() const {
  if (!call_) return kNever;
  return std::min(end_timer().at, next_ping_);
}

// --- state changes -------------------------------------------------------------------

void CallSignalling::begin(TimePoint now, CallId id, const NodeId& peer, CallDirection direction, CallState state) {
  call_ = CallInfo{id, peer, direction, state, now, std::nullopt, std::nullopt};
  invite_may_be_lost_ = false;
  last_heard_ = now;
  next_ping_ = state == CallState::kCalling ? kNever : now + config_.ping_interval;
}

void CallSignalling::connect(TimePoint now) {
  call_->state = CallState::kActive;
  call_->answered = now;
  if (next_ping_ == kNever) next_ping_ = now + config_.ping_interval;
  emit(CallEvent::Kind::kConnected);
}

void CallSignalling::end(CallEndReason reason) {
  emit(CallEvent::Kind::kEnded, reason);
  call_.reset();
  next_ping_ = kNever;
}

void CallSignalling::emit(CallEvent::Kind kind, CallEndReason reason) {
  events_.push_back({kind, call_->id, call_->peer, reason});
}

}  // namespace koe
