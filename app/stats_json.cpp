#include "app/stats_json.hpp"

#include "net/user_id.hpp"

namespace koe {

namespace {

nlohmann::ordered_json call_json(const CallView& call) {
  nlohmann::ordered_json out = to_json(call.stats);
  out["peer"] = call.peer_id;  // also set for calls that never connected
  out["direction"] = call.direction == CallDirection::kOutgoing ? "outgoing" : "incoming";
  out["end_reason"] = call.ended ? nlohmann::ordered_json(call.end_reason) : nlohmann::ordered_json(nullptr);
  out["duration_s"] = call.duration_s;
  out["ringing_ms"] = call.ringing_ms ? nlohmann::ordered_json(*call.ringing_ms) : nlohmann::ordered_json(nullptr);
  return out;
}

}  // namespace

nlohmann::ordered_json stats_json(const AppSnapshot& snapshot) {
  nlohmann::ordered_json out;
  out["id"] = snapshot.user_id;
  out["role"] = to_string(snapshot.role);
  out["supernode"] = snapshot.supernode;
  out["supernode_eligible"] = snapshot.supernode_eligible;
  out["upstream_kbps"] = snapshot.upstream_kbps ? nlohmann::ordered_json(*snapshot.upstream_kbps)
                                                : nlohmann::ordered_json(nullptr);
  out["online"] = snapshot.network == NetworkState::kOnline;
  out["network"] = snapshot.network_detail;
  out["nat"] = snapshot.nat;
  out["sessions"] = snapshot.sessions;
  out["datagrams_received"] = snapshot.datagrams_received;
  out["datagrams_dropped"] = snapshot.datagrams_dropped;
  out["session_drops"] = nlohmann::ordered_json::object();
  for (const auto& [reason, count] : snapshot.drops) out["session_drops"][reason] = count;
  if (snapshot.supernode_load) {
    const SupernodeStats& load = *snapshot.supernode_load;
    out["supernode_load"] = {{"attached_clients", load.attached_clients},
                             {"index_records", load.index_records},
                             {"routing_contacts", load.routing_contacts},
                             {"bytes_in", load.bytes_in},
                             {"bytes_out", load.bytes_out},
                             {"relay_sessions", load.relay_sessions}};
  }
  out["contacts"] = nlohmann::ordered_json::array();
  for (const auto& contact : snapshot.contacts)
    out["contacts"].push_back({{"id", contact.user_id},
                               {"display_name", contact.display_name},
                               {"state", to_string(contact.state)},
                               {"presence", to_string(contact.presence)}});
  out["calls"] = nlohmann::ordered_json::array();
  for (const auto& call : snapshot.call_history) out["calls"].push_back(call_json(call));
  if (snapshot.call) out["calls"].push_back(call_json(*snapshot.call));
  // The recent log, for troubleshooting a headless node.
  constexpr size_t kLogLines = 30;
  out["log"] = nlohmann::ordered_json::array();
  const size_t first = snapshot.log.size() > kLogLines ? snapshot.log.size() - kLogLines : 0;
  for (size_t i = first; i < snapshot.log.size(); ++i) out["log"].push_back(snapshot.log[i]);
  return out;
}

}  // namespace koe
