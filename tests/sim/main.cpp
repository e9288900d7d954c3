// koe-sim: scenarios on the deterministic simulated network, one subcommand each
// (each scenario registers itself; this file only dispatches).
#include <CLI/CLI.hpp>

#include "tests/sim/election_command.hpp"
#include "tests/sim/index_command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"koe-sim: Koe scenarios on the simulated network (JSON reports on stdout, progress on stderr)"};
  app.require_subcommand(1);
  koe::sim::add_index_command(app);
  koe::sim::add_election_command(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
