// The NAT lab's client: one node with the real NAT-traversal cores on a real UDP
// socket. It discovers its NAT, swaps offers (and the caller's relay tickets) with the
// peer through the lab rendezvous, punches, falls back to a relay, opens a secure
// session over the chosen path, exchanges voice-sized messages both ways and prints one
// RESULT line. Runs on the calling thread; every wait is bounded by the timeout.
#pragma once

#include <string>
#include <vector>

#include "net/endpoint.hpp"

namespace koe::lab {

struct ClientOptions {
  std::string name;
  std::string peer;
  bool caller = false;             // allocates the relays and opens the session
  Endpoint local;                  // bind address (also the LAN candidate)
  std::vector<Endpoint> servers;   // probed for discovery, used as relays; the first is the rendezvous
  int timeout_s = 15;              // for the whole run
  int talk_ms = 2000;              // messages both ways once the session is up
};

// Exit codes: 0 connected and talked, 2 no connection before the timeout, 3 UDP blocked.
int run_client(const ClientOptions& options);

}  // namespace koe::lab
