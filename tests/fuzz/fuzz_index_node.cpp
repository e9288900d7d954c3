// libFuzzer harness for the supernode core: any datagram from any source must
// never crash it, and whatever it answers an unproven source (a fuzzer never
// holds a valid address token) is at most kAmplificationFactor times the size of
// what it received.
#include <cstdint>
#include <cstdlib>

#include "index/index_node.hpp"
#include "net/random.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace koe;
  SeededRandom random(1);
  NodeId self;
  self.bytes.fill(0x5A);
  IndexNode node(self, random);
  node.bootstrap(TimePoint{}, {});
  const Endpoint from{Endpoint::make_ip(198, 51, 100, 7), 40000};
  node.on_datagram(TimePoint{}, from, ByteView(data, size));
  node.on_timer(TimePoint{} + std::chrono::seconds(3));
  for (const OutDatagram& out : node.take_outbox()) {
    if (out.bytes.size() > kAmplificationFactor * size) std::abort();
  }
  return 0;
}
