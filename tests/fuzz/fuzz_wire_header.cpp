// libFuzzer harness for wire::decode_header: arbitrary bytes must never crash,
// and every accepted datagram must re-encode to the identical bytes (the header
// encoding is canonical) and decode again to the same type and body.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "net/wire.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace koe;
  const ByteView input(data, size);
  const auto packet = wire::decode_header(input);
  if (!packet) return 0;

  ByteWriter writer = wire::start_packet(packet->type);
  writer.bytes(packet->body);
  const auto encoded = std::move(writer).finish();
  if (!encoded || encoded->size() != size || std::memcmp(encoded->data(), data, size) != 0) std::abort();

  const auto again = wire::decode_header(*encoded);
  if (!again || again->type != packet->type || again->body.size() != packet->body.size() ||
      !std::equal(again->body.begin(), again->body.end(), packet->body.begin())) {
    std::abort();
  }
  return 0;
}
