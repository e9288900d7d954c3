// AppSnapshot: an immutable picture of the node's state that views draw.
// Built by the node (net thread), handed to the UI thread whole; never mutated after.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace koe {

enum class NetworkState { kStarting, kListening, kStopped, kFailed };

struct AppSnapshot {
  std::string user_id;        // human form, "koe1..."
  std::string display_name;
  std::string profile_dir;
  uint16_t listen_port = 0;
  NetworkState network = NetworkState::kStarting;
  std::string network_detail;  // e.g. the failure reason
  uint64_t datagrams_received = 0;
  uint64_t datagrams_dropped = 0;  // malformed or of a type this node does not serve
  size_t sessions = 0;             // secure sessions with other nodes
  // Secure-session drops by reason ("bad_mac", "replay", ...), non-zero ones only.
  std::vector<std::pair<std::string, uint64_t>> drops;
};

}  // namespace koe
