// libFuzzer harness for the probe messages and responder: arbitrary bytes must
// never crash; an accepted request or response must re-encode to the identical
// bytes and decode again equal; an answered request must get a reply that decodes
// to its nonce and is at most twice its size (no amplification).
#include <cstdint>
#include <cstdlib>

#include "net/probe.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace koe;
  const ByteView input(data, size);

  if (const auto request = decode_probe_request(input)) {
    const Bytes encoded = encode_probe_request(*request);
    if (!fuzz::same_bytes(encoded, input)) std::abort();
    const auto again = decode_probe_request(encoded);
    if (!again || !(*again == *request)) std::abort();
  }

  if (const auto response = decode_probe_response(input)) {
    const Bytes encoded = encode_probe_response(*response);
    if (!fuzz::same_bytes(encoded, input)) std::abort();
    const auto again = decode_probe_response(encoded);
    if (!again || !(*again == *response)) std::abort();
  }

  const Endpoint from{Endpoint::make_ip(198, 51, 100, 9), 50000};
  if (const auto reply = respond_to_probe(from, input)) {
    if (reply->size() > 2 * size) std::abort();
    const auto answer = decode_probe_response(*reply);
    const auto request = decode_probe_request(input);
    if (!answer || !request || answer->nonce != request->nonce || answer->observed != from) std::abort();
  }
  return 0;
}
