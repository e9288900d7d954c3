// NodeCores' published state: the AppSnapshot views draw and --stats-json writes.
#include <algorithm>

#include "app/node_cores.hpp"
#include "audio/voice_engine.hpp"
#include "net/user_id.hpp"

namespace koe {

namespace {

CallPath path_to(const std::optional<Endpoint>& endpoint) {
  if (!endpoint) return CallPath::kUnknown;
  return endpoint->is_private() || endpoint->is_loopback() ? CallPath::kLan : CallPath::kDirect;
}

// Meters show the top 60 dB: -60 dBFS and below is an empty bar.
float meter_fraction(float dbfs) { return std::clamp((dbfs + 60.0f) / 60.0f, 0.0f, 1.0f); }

}  // namespace

CallStats NodeCores::call_stats(TimePoint now) const {
  CallStats stats;
  const CallInfo* call = control_.calls().call();
  if (!call) return call_ ? call_->stats : stats;
  stats.peer = call->peer;
  stats.connected = call->state == CallState::kActive;
  if (call->answered) stats.setup_time = *call->answered - call->started;
  stats.rtt = call->rtt;
  if (const auto key = peers_.key_of(call->peer); key && stats.connected) {
    // A link a spray socket carries has the tunnel's loopback endpoint, but it is direct.
    if (traversal_.path(*key) == TraversalPath::kRelay) stats.path = CallPath::kRelay;
    else if (traversal_.carried_by_spray_socket(*key)) stats.path = CallPath::kDirect;
    else stats.path = path_to(secure_.sessions().peer_endpoint(*key));
    stats.relay = traversal_.relay_of(*key);
  }
  if (voice_ && stats.connected) {
    const CallMediaStats media = voice_->stats(call->id);
    stats.packets_sent = media.packets_sent;
    stats.packets_received = media.packets_received;
    stats.packets_lost = media.packets_lost;
    stats.frames_concealed = media.frames_concealed;
    stats.frames_fec_recovered = media.frames_fec_recovered;
    stats.jitter_buffer_delay = std::chrono::microseconds(static_cast<int64_t>(media.jitter_buffer_ms * 1000));
    stats.bitrate_bps = static_cast<uint32_t>(media.bitrate_bps);
  }
  (void)now;
  return stats;
}

void NodeCores::refresh_snapshot(TimePoint now) {
  state_.sessions = secure_.sessions().peer_count();
  state_.drops.clear();
  secure_.drops().for_each([&](DropReason reason, uint64_t count) {
    if (count > 0) state_.drops.emplace_back(std::string(drop_reason_name(reason)), count);
  });
  state_.contacts.clear();
  for (const auto& contact : control_.contacts().all()) {
    state_.contacts.push_back(ContactView{.user_id = to_user_id(contact.id),
                                          .display_name = contact.display_name,
                                          .state = contact.state,
                                          .message = contact.message,
                                          .presence = control_.presence().state_of(contact.id)});
  }
  if (call_) {
    if (const CallInfo* call = control_.calls().call(); call && call->id == call_->id) call_->state = call->state;
    call_->stats = call_stats(now);
    if (call_->stats.relay != logged_relay_) {
      logged_relay_ = call_->stats.relay;
      if (logged_relay_) log("call relayed through " + logged_relay_->to_string());
    }
    call_->duration_s =
        call_->state == CallState::kActive ? std::chrono::duration<double>(now - call_connected_at_).count() : 0.0;
  }
  state_.call = call_;
  state_.call_history.assign(history_.begin(), history_.end());
  state_.log.assign(log_.begin(), log_.end());
  state_.muted = muted_;
  if (voice_) {
    const AudioLevelsView levels = voice_->levels();
    state_.input_level = meter_fraction(levels.input.rms_dbfs);
    state_.output_level = meter_fraction(levels.output.rms_dbfs);
  }
  if (const IndexNode* node = index_.node()) {
    const auto& counters = node->counters();
    state_.supernode_load = SupernodeStats{.attached_clients = node->attached_clients(),
                                          .index_records = node->records().size(),
                                          .routing_contacts = node->routing().size(),
                                          .bytes_in = counters.bytes_in,
                                          .bytes_out = counters.bytes_out,
                                          .relay_sessions = traversal_.relay_sessions()};
  } else {
    state_.supernode_load.reset();
  }
  const auto supernode = index_.supernode();
  state_.supernode = supernode ? supernode->endpoint.to_string() : "";
  state_.supernode_eligible = election_.eligible(now);
  state_.upstream_kbps = upstream_meter_.kbps();
}

}  // namespace koe
