// Cost of the wire layer's hot paths: header checks, a probe answer, UTF-8 checks.
#include <benchmark/benchmark.h>

#include <string>

#include "net/probe.hpp"
#include "net/utf8.hpp"

namespace koe {
namespace {

void BM_DecodeHeader(benchmark::State& state) {
  const Bytes datagram = encode_probe_request(ProbeRequest{42});
  for (auto _ : state) benchmark::DoNotOptimize(wire::decode_header(datagram));
}
BENCHMARK(BM_DecodeHeader);

void BM_RespondToProbe(benchmark::State& state) {
  const Bytes request = encode_probe_request(ProbeRequest{42});
  const Endpoint from{Endpoint::make_ip(203, 0, 113, 7), 40001};
  for (auto _ : state) benchmark::DoNotOptimize(respond_to_probe(from, request));
}
BENCHMARK(BM_RespondToProbe);

void BM_ValidateUtf8Name(benchmark::State& state) {
  // A 64-byte display name mixing ASCII, 2-byte and 3-byte characters.
  std::string name;
  while (name.size() < 58) name += "Ko\xC5\x8D\xE5\xA3\xB0 ";
  for (auto _ : state) benchmark::DoNotOptimize(is_valid_wire_text(name));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * name.size()));
}
BENCHMARK(BM_ValidateUtf8Name);

}  // namespace
}  // namespace koe
