// libFuzzer harness for presence records: arbitrary bytes must never crash the
// decoder or the reader's checks; a record that decodes must re-encode to the
// identical bytes (the encoding is canonical, which signatures rely on) and
// decode again equal.
#include <cstdint>
#include <cstdlib>

#include "index/presence_record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace koe;
  const ByteView input(data, size);
  (void)verify_record(input, 1'700'000'000, 7200);
  const auto decoded = decode_record(input);
  if (!decoded) return 0;
  const auto encoded = encode_record(decoded->record, decoded->signature);
  if (!encoded || *encoded != Bytes(input.begin(), input.end())) std::abort();
  const auto again = decode_record(*encoded);
  if (!again || !(again->record == decoded->record) || again->signature != decoded->signature) std::abort();
  return 0;
}
