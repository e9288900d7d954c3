// koe_nat_probe: the NAT lab's tool (tests/nat/nat_lab.sh runs it inside network
// namespaces). `server` is the public supernode/relay process, `client` one node that
// calls (or is called by) another through real NATs and prints a RESULT line.
// Replaced by real `koe --headless` processes once the node runs these cores.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "tests/nat/lab_client.hpp"
#include "tests/nat/lab_server.hpp"

namespace {

// CLI11 validator for "a.b.c.d:port".
koe::Endpoint parse_endpoint(const std::string& text) {
  const auto e = koe::Endpoint::parse(text);
  if (!e) throw CLI::ValidationError("endpoint", "not a.b.c.d:port: " + text);
  return *e;
}

std::vector<koe::Endpoint> parse_all(const std::vector<std::string>& texts) {
  std::vector<koe::Endpoint> out;
  for (const auto& t : texts) out.push_back(parse_endpoint(t));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"koe_nat_probe: NAT traversal lab tool"};
  app.require_subcommand(1);

  auto* server = app.add_subcommand("server", "public supernode, relay and lab rendezvous");
  std::vector<std::string> probes;
  std::string partner, ready_file;
  int lifetime_s = 600;
  server->add_option("--probe", probes, "endpoint clients probe and relay through (repeat)")->required();
  server->add_option("--partner", partner, "the filtering test's partner endpoint")->required();
  server->add_option("--ready-file", ready_file, "written once the sockets are bound");
  server->add_option("--lifetime", lifetime_s, "seconds before the server exits by itself");

  auto* client = app.add_subcommand("client", "a node calling or called through NATs");
  koe::lab::ClientOptions c;
  std::string local;
  std::vector<std::string> servers;
  client->add_option("--name", c.name)->required();
  client->add_option("--peer", c.peer)->required();
  client->add_flag("--caller", c.caller, "allocate relays and open the session");
  client->add_option("--local", local, "bind endpoint (also the LAN candidate)")->required();
  client->add_option("--server", servers, "supernode endpoint (repeat; first is the rendezvous)")->required();
  client->add_option("--timeout", c.timeout_s, "seconds for the whole run");
  client->add_option("--talk-ms", c.talk_ms, "milliseconds of messages both ways");

  CLI11_PARSE(app, argc, argv);
  try {
    if (*server) {
      return koe::lab::run_server({parse_all(probes), parse_endpoint(partner), ready_file, lifetime_s});
    }
    c.local = parse_endpoint(local);
    c.servers = parse_all(servers);
    return koe::lab::run_client(c);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "koe_nat_probe: %s\n", e.what());
    return 1;
  }
}
