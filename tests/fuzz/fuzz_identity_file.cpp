// libFuzzer harness for the identity.key parser (a file that may be corrupt): never
// crashes; an accepted file is exactly what encoding its identity produces.
#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "app/identity_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const koe::ByteView input(data, size);
  const auto identity = koe::parse_identity_file(input);
  if (!identity) {
    if (identity.error().empty()) std::abort();
    return 0;
  }
  const koe::Bytes encoded = koe::encode_identity_file(*identity);
  if (!std::equal(encoded.begin(), encoded.end(), input.begin(), input.end())) std::abort();
  return 0;
}
