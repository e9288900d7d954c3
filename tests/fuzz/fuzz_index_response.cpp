// libFuzzer harness for Global Index responses (kIndexResponse): arbitrary bytes
// must never crash the decoder; an accepted response must re-encode to the
// identical bytes and decode again equal.
#include <cstdint>
#include <cstdlib>

#include "index/messages.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace koe;
  const ByteView input(data, size);
  const auto response = decode_response(input);
  if (!response) return 0;
  const auto encoded = encode_response(*response);
  if (!encoded || *encoded != Bytes(input.begin(), input.end())) std::abort();
  const auto again = decode_response(*encoded);
  if (!again || !(*again == *response)) std::abort();
  return 0;
}
