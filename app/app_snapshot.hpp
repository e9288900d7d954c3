// AppSnapshot: an immutable picture of the node's state that views draw.
// Built by the node (net thread), handed to the UI thread whole; never mutated after.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/call_signalling.hpp"
#include "app/call_stats.hpp"
#include "app/contacts.hpp"
#include "app/presence.hpp"
#include "app/presence_state.hpp"

namespace koe {

// kListening: the socket is up, no index yet; kConnecting: attaching to a supernode;
// kOnline: attached (or serving as supernode); kOffline: no supernode answers
// (network_detail says why).
enum class NetworkState { kStarting, kListening, kConnecting, kOnline, kOffline, kStopped, kFailed };

enum class NodeRole : uint8_t { kClient, kSupernode };
// "client", "supernode".
std::string_view to_string(NodeRole role);

struct ContactView {
  std::string user_id;  // koe1...
  std::string display_name;
  ContactState state = ContactState::kRequestSent;
  std::string message;  // the request's note
  PresenceState presence = PresenceState::kOffline;
};

// The call in progress, or one that ended (history).
struct CallView {
  CallId id = 0;
  std::string peer_id;  // koe1...
  std::string peer_name;
  CallDirection direction = CallDirection::kOutgoing;
  CallState state = CallState::kCalling;
  bool ended = false;
  std::string end_reason;  // to_string(CallEndReason) once ended
  int64_t started_unix = 0;
  double duration_s = 0;  // connected time so far
  std::optional<double> ringing_ms;  // outgoing: dialling to the peer's "ringing"
  CallStats stats;
};

struct SearchHit {
  std::string user_id;
  std::string display_name;
};

struct SearchView {
  std::string query;
  bool done = false;
  std::string error;  // set when the search failed ("timed_out", ...)
  std::vector<SearchHit> hits;
};

struct SupernodeStats {  // what the diagnostics view shows (index/supernode_load.hpp is the load report)
  size_t attached_clients = 0;
  size_t index_records = 0;
  size_t routing_contacts = 0;
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  size_t relay_sessions = 0;  // calls of others relayed through us
};

struct AppSnapshot {
  std::string user_id;        // human form, "koe1..."
  std::string display_name;
  std::string profile_dir;
  uint16_t listen_port = 0;
  NetworkState network = NetworkState::kStarting;
  std::string network_detail;  // e.g. the failure reason, or the supernode we use
  // What the supernodes told us about our NAT, one line ("" until known), e.g.
  // "endpoint-independent mapping, dependent filtering; public 203.0.113.7:40000".
  std::string nat;
  NodeRole role = NodeRole::kClient;
  std::string supernode;            // the one our index client attaches to ("" while none)
  bool supernode_eligible = false;  // measured able to serve and online long enough (docs/election.md)
  std::optional<double> upstream_kbps;  // measured by packet trains; none until the first result
  OwnPresence own_presence = OwnPresence::kOnline;
  uint64_t datagrams_received = 0;
  uint64_t datagrams_dropped = 0;  // malformed or of a type this node does not serve
  size_t sessions = 0;             // secure sessions with other nodes
  // Secure-session drops by reason ("bad_mac", "replay", ...), non-zero ones only.
  std::vector<std::pair<std::string, uint64_t>> drops;

  std::vector<ContactView> contacts;
  std::optional<CallView> call;        // the call in progress
  std::vector<CallView> call_history;  // ended calls, oldest first (bounded)
  SearchView search;                   // the latest search
  std::optional<SupernodeStats> supernode_load;  // when serving as supernode
  std::vector<std::string> log;        // recent notable events, oldest first (bounded)
  float input_level = 0;               // 0..1, for the meters
  float output_level = 0;
  bool muted = false;
};

}  // namespace koe
