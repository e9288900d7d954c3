// The NAT lab's public "supernode/relay" process: on each probe endpoint a
// NatProbeServer and a RelayServer, on the partner endpoint the filtering test's
// partner, and on the first endpoint the lab rendezvous. Runs on the calling thread
// until its lifetime ends or SIGTERM/SIGINT arrives.
#pragma once

#include <string>
#include <vector>

#include "net/endpoint.hpp"

namespace koe::lab {

struct ServerOptions {
  std::vector<Endpoint> probes;  // supernode endpoints the clients probe and use as relays
  Endpoint partner;              // the filtering test's partner (never probed by clients)
  std::string ready_file;        // written once every socket is bound
  int lifetime_s = 600;          // a bound on the process, whatever happens
};

// Returns the process exit code.
int run_server(const ServerOptions& options);

}  // namespace koe::lab
