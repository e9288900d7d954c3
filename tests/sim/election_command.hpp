// The `koe-sim election` subcommand: its options (each documented in --help), the run,
// the JSON report and the optional target checks that set the exit code.
// Called from main on the main thread.
#pragma once

#include <CLI/CLI.hpp>

namespace koe::sim {

void add_election_command(CLI::App& app);

}  // namespace koe::sim
