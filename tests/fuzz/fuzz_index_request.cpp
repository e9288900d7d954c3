// libFuzzer harness for Global Index requests (kIndexRequest): arbitrary bytes
// must never crash the decoder; an accepted request must re-encode to the
// identical bytes and decode again equal.
#include <cstdint>
#include <cstdlib>

#include "index/messages.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace koe;
  const ByteView input(data, size);
  const auto request = decode_request(input);
  if (!request) return 0;
  const auto encoded = encode_request(*request);
  if (!encoded || *encoded != Bytes(input.begin(), input.end())) std::abort();
  const auto again = decode_request(*encoded);
  if (!again || !(*again == *request)) std::abort();
  return 0;
}
