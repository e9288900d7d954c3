// NodeCores' half that serves people: the UI's commands, call events, the voice
// engine and the echo test service.
#include <algorithm>

#include "app/node_cores.hpp"
#include "audio/voice_engine.hpp"
#include "net/user_id.hpp"

namespace koe {

namespace {

constexpr size_t kMaxCallHistory = 50;

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;  // clang 14 does not deduce aggregates yet

std::optional<NodeId> node_id_of(const std::string& user_id) {
  auto id = parse_user_id(user_id);
  if (!id) return std::nullopt;
  return *id;
}

}  // namespace

void NodeCores::handle(const NodeCommand& command) {
  const TimePoint now = clock_.now();
  control_.presence().on_user_activity(now);
  std::visit(
      Overloaded{
          [&](const command::Call& c) { start_call(now, c.user_id); },
          [&](const command::Accept&) {
            if (call_) control_.calls().accept(now, call_->id);
          },
          [&](const command::Decline&) {
            if (call_) control_.calls().decline(now, call_->id);
          },
          [&](const command::HangUp&) {
            if (call_) control_.calls().hang_up(now, call_->id);
          },
          [&](const command::AddContact& c) {
            auto sent = control_.requests().send_request(c.user_id, c.message);
            log(sent ? "contact request sent to " + c.user_id : "cannot add " + c.user_id + ": " + sent.error().message());
          },
          [&](const command::AcceptContact& c) {
            if (auto id = node_id_of(c.user_id)) control_.requests().accept(*id);
          },
          [&](const command::DeclineContact& c) {
            if (auto id = node_id_of(c.user_id)) control_.requests().decline(*id);
          },
          [&](const command::BlockContact& c) {
            if (auto id = node_id_of(c.user_id)) control_.requests().block(*id);
          },
          [&](const command::RemoveContact& c) {
            if (auto id = node_id_of(c.user_id)) control_.requests().remove(*id);
          },
          [&](const command::SetPresence& c) {
            control_.presence().set_own(now, c.presence);
            state_.own_presence = c.presence;
            control_.calls().set_do_not_disturb(c.presence == OwnPresence::kDoNotDisturb);
          },
          [&](const command::Search& c) {
            state_.search = SearchView{};
            state_.search.query = c.query;
            // An ID finds that one user's record; anything else is a name search.
            if (auto id = node_id_of(c.query)) {
              search_request_ = 0;
              search_lookup_ = index_.lookup(now, *id);
            } else {
              search_lookup_ = 0;
              search_request_ = index_.search(now, c.query);
            }
          },
          [&](const command::SetMuted& c) {
            muted_ = c.muted;
            if (voice_) voice_->set_muted(c.muted);
          },
          [&](const command::SetPeerVolume& c) {
            if (voice_ && call_) voice_->set_peer_volume(call_->id, c.gain);
          },
      },
      command);
  pump(now);
  refresh_snapshot(now);
  publish_(state_);
}

void NodeCores::sign_out() {
  const TimePoint now = clock_.now();
  if (const CallInfo* call = control_.calls().call()) control_.calls().hang_up(now, call->id);
  control_.presence().set_own(now, OwnPresence::kOffline);
  // A supernode going away tells its clients where to go and pushes its records on.
  index_.begin_handover(now);
  pump(now);
}

void NodeCores::start_call(TimePoint now, const std::string& user_id) {
  // A call that cannot even start still enters the history, with the reason.
  auto refuse = [&](std::string reason) {
    CallView refused;
    refused.peer_id = user_id;
    refused.ended = true;
    refused.end_reason = std::move(reason);
    log("cannot call " + user_id + ": " + refused.end_reason);
    history_.push_back(std::move(refused));
    if (history_.size() > kMaxCallHistory) history_.pop_front();
  };
  auto peer = parse_user_id(user_id);
  if (!peer) return refuse("unknown ID (" + peer.error().message() + ")");
  auto started = control_.calls().start_call(now, *peer);
  if (!started) return refuse(std::string(to_string(started.error())));
  call_failure_.reset();
  call_ = new_call_view(*started, *peer, CallDirection::kOutgoing, CallState::kCalling, now);
  log("calling " + user_id);
}

CallView NodeCores::new_call_view(CallId id, const NodeId& peer, CallDirection direction, CallState state,
                                  TimePoint now) const {
  CallView view;
  view.id = id;
  view.peer_id = to_user_id(peer);
  if (const auto it = peer_names_.find(peer); it != peer_names_.end()) view.peer_name = it->second;
  if (const auto* contact = control_.contacts().find(peer); contact && view.peer_name.empty())
    view.peer_name = contact->display_name;
  view.direction = direction;
  view.state = state;
  view.started_unix =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch() + wall_clock_offset_).count();
  return view;
}

void NodeCores::on_call_event(TimePoint now, const CallEvent& event) {
  note_activity(now);
  const std::string peer_id = to_user_id(event.peer);
  switch (event.kind) {
    case CallEvent::Kind::kIncoming: {
      call_ = new_call_view(event.call, event.peer, CallDirection::kIncoming, CallState::kRinging, now);
      log("incoming call from " + peer_id);
      const bool is_contact = control_.contacts().is_accepted(event.peer);
      const bool answer = config_.echo_service || config_.auto_answer == AutoAnswer::kAnyone ||
                          (config_.auto_answer == AutoAnswer::kContacts && is_contact);
      if (answer) {
        control_.calls().accept(now, event.call);
      } else if (voice_) {
        voice_->start_alert(AlertSound::kRingtone);
      }
      return;
    }
    case CallEvent::Kind::kPeerRinging:
      if (voice_) voice_->start_alert(AlertSound::kRingback);
      if (call_) {
        call_->state = CallState::kRinging;
        if (const CallInfo* call = control_.calls().call())
          call_->ringing_ms = std::chrono::duration<double, std::milli>(now - call->started).count();
      }
      return;
    case CallEvent::Kind::kConnected:
      if (call_) call_->state = CallState::kActive;
      call_connected_at_ = now;
      log("call connected with " + peer_id);
      if (voice_) {
        voice_->stop_alert();
        voice_->open_call(event.call);
        if (config_.echo_service) voice_->set_echo_mode(event.call, config_.echo_record);
      }
      return;
    case CallEvent::Kind::kEnded:
      if (voice_) {
        voice_->stop_alert();  // unanswered, declined, cancelled or timed out alike
        voice_->close_call(event.call);
      }
      end_call_view(now, call_failure_ ? *call_failure_ : std::string(to_string(event.reason)));
      return;
    case CallEvent::Kind::kRejected:
      log("refused a call from " + peer_id + ": " + std::string(to_string(event.reason)));
      return;
  }
}

void NodeCores::end_call_view(TimePoint now, std::string reason) {
  if (!call_) return;
  call_->stats = call_stats(now);
  call_->ended = true;
  call_->end_reason = std::move(reason);
  log("call with " + call_->peer_id + " ended: " + call_->end_reason);
  history_.push_back(std::move(*call_));
  if (history_.size() > kMaxCallHistory) history_.pop_front();
  call_.reset();
}

void NodeCores::on_contact_event(TimePoint now, const ContactEvent& event) {
  const std::string peer_id = to_user_id(event.peer);
  switch (event.kind) {
    case ContactEvent::Kind::kRequestReceived:
      log("contact request from " + peer_id);
      return;
    case ContactEvent::Kind::kAccepted:
      log(peer_id + " is now a contact");
      control_.presence().on_contact_reachable(now, event.peer);  // presence starts flowing
      return;
    case ContactEvent::Kind::kDeclined:
      log(peer_id + " declined the contact request");
      return;
  }
}

void NodeCores::on_peer_give_up(TimePoint now, const PeerGiveUp& give_up) {
  const CallInfo* call = control_.calls().call();
  if (!call || call->peer != give_up.peer || call->state != CallState::kCalling) return;
  call_failure_ = std::string(to_string(give_up.failure));
  control_.calls().hang_up(now, call->id);
}

void NodeCores::check_echo_service(TimePoint now) {
  if (!config_.echo_service || !voice_) return;
  const CallInfo* call = control_.calls().call();
  if (call && call->state == CallState::kActive && voice_->echo_finished(call->id)) control_.calls().hang_up(now, call->id);
}

void NodeCores::send_voice(uint64_t call, const Bytes& payload) {
  const CallInfo* current = control_.calls().call();
  if (!current || current->id != call || current->state != CallState::kActive) return;
  const auto key = peers_.key_of(current->peer);
  if (key) secure_.send(clock_.now(), *key, LinkChannel::kVoice, payload);
}

}  // namespace koe
