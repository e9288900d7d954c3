// The --stats-json document: the node's ID, role, whether it is online, and every
// call of this run with its statistics. Pure function; any thread.
#pragma once

#include <nlohmann/json.hpp>

#include "app/app_snapshot.hpp"

namespace koe {

// {"id", "role", "online", "network", "supernode_load"?, "contacts": [{"id",
// "display_name", "state", "presence"}], "calls": [{"peer", "connected", "path",
// "setup_ms", "rtt_ms", "packets_sent", ..., "mos_estimate", "direction",
// "end_reason", "duration_s"}]}: calls in history order, then the one in progress.
nlohmann::ordered_json stats_json(const AppSnapshot& snapshot);

}  // namespace koe
