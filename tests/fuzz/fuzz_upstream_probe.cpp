// libFuzzer harness for the upstream probe messages and both cores: arbitrary bytes
// must never crash; an accepted train packet or report must re-encode to the identical
// bytes; the server answers at most one small report per train and keeps its table
// bounded; the meter takes no report it did not ask for.
#include <cstdint>
#include <cstdlib>

#include "net/random.hpp"
#include "net/upstream_meter.hpp"
#include "net/upstream_probe.hpp"
#include "net/upstream_probe_server.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace koe;
  const ByteView input(data, size);

  if (const auto train = decode_upstream_train(input)) {
    if (!fuzz::same_bytes(encode_upstream_train(*train), input)) std::abort();
  }
  if (const auto report = decode_upstream_report(input)) {
    if (!fuzz::same_bytes(encode_upstream_report(*report), input)) std::abort();
    const double kbps = upstream_kbps(*report);
    if (!(kbps > 0 && kbps <= kMaxMeasurableKbps)) std::abort();
  }

  // The server, fed the input as one datagram from each of a few sources and then
  // timed out: every answer is one well-formed report, far smaller than a train.
  UpstreamProbeServer server;
  const TimePoint t0 = TimePoint{} + std::chrono::seconds(10);
  for (uint16_t port = 1; port <= 3; ++port) server.on_datagram(t0, Endpoint{0xC6336401, port}, input);
  server.on_timer(t0 + std::chrono::seconds(1));
  if (server.open_trains() != 0) std::abort();
  for (const auto& out : server.take_outbox())
    if (out.bytes.size() != kUpstreamReportSize || !decode_upstream_report(out.bytes)) std::abort();

  // The meter has no train out: nothing it is handed can become a result.
  SeededRandom random(1);
  UpstreamMeter meter(random);
  meter.on_datagram(t0, Endpoint{0xCB007101, 7000}, input);
  if (meter.kbps()) std::abort();
  return 0;
}
