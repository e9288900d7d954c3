// The headless runner: a node without a window until SIGINT/SIGTERM or --duration, or
// one scripted call (--call). Main thread only; call before any other thread starts
// (it blocks the signals).
#pragma once

#include "app/cli.hpp"
#include "app/node.hpp"
#include "app/profile.hpp"
#include "net/expected.hpp"

namespace koe {

// The node configuration the options ask for on top of the profile's: bootstrap
// supernodes (resolved), supernode mode, LAN address, answering, echo service, audio.
// The error is one line for the user.
Expected<NodeConfig, std::string> headless_node_config(const Profile& profile, const CliOptions& options);

// Returns the process exit status: 0 after a clean stop or a completed call; 1 when
// the node could not start or the call could not be made (the reason on stderr).
int run_headless(const Profile& profile, const CliOptions& options);

}  // namespace koe
