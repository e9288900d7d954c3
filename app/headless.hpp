// The headless runner: a node without a window until SIGINT/SIGTERM or --duration.
// Main thread only; call before any other thread starts (it blocks the signals).
#pragma once

#include "app/cli.hpp"
#include "app/profile.hpp"

namespace koe {

// Returns the process exit status: 0 after a clean stop, 1 when the node
// could not start (the reason printed on stderr).
int run_headless(const Profile& profile, const CliOptions& options);

}  // namespace koe
