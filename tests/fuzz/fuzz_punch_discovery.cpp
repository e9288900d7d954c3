// libFuzzer harness for NAT discovery's input side: the filtering-test codecs
// (probe redirect, probe forward) must round-trip what they accept; the supernode's
// NatProbeServer and the node's NatDiscovery take arbitrary bytes without crashing, and
// the server never answers a datagram with more than twice its size.
#include <cstdint>
#include <cstdlib>

#include "net/filter_probe.hpp"
#include "net/nat_discovery.hpp"
#include "net/nat_probe_server.hpp"
#include "net/random.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using namespace koe;

const Endpoint kServer{Endpoint::make_ip(198, 51, 100, 1), 7000};
const Endpoint kPartner{Endpoint::make_ip(198, 51, 100, 2), 7000};
const Endpoint kNode{Endpoint::make_ip(203, 0, 113, 9), 4000};


}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteView input(data, size);
  if (const auto redirect = decode_probe_redirect(input)) {
    if (!fuzz::same_bytes(encode_probe_redirect(*redirect), input)) std::abort();
  }
  if (const auto forward = decode_probe_forward(input)) {
    if (!fuzz::same_bytes(encode_probe_forward(*forward), input)) std::abort();
  }

  NatProbeServer server;
  server.set_partners({kPartner});
  server.on_datagram(TimePoint{}, kNode, input);
  server.on_datagram(TimePoint{}, kPartner, input);
  size_t to_node = 0;
  for (const auto& out : server.take_outbox()) {
    if (out.bytes.size() > wire::kMaxDatagramSize) std::abort();
    if (out.to == kNode) to_node += out.bytes.size();
  }
  // The node's own datagram and the partner's forward may each bring one answer.
  if (to_node > 4 * std::max<size_t>(size, 1)) std::abort();

  SeededRandom random(3);
  NatDiscoveryConfig config;
  config.servers = {kServer, kPartner};
  NatDiscovery discovery(random, config);
  discovery.start(TimePoint{});
  discovery.take_outbox();
  discovery.on_datagram(TimePoint{} + std::chrono::milliseconds(10), kServer, input);
  discovery.on_timer(TimePoint{} + std::chrono::seconds(3));
  discovery.take_events();
  return 0;
}
