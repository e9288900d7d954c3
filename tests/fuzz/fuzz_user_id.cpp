// libFuzzer harness for the user ID parser (people paste IDs from anywhere): any text
// must parse or give a reason; an accepted ID must be the canonical text of its NodeId.
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "net/user_id.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = koe::parse_user_id(text);
  if (!parsed) {
    if (parsed.error().message().empty()) std::abort();
    return 0;
  }
  // Accepted: the input, trimmed and lowercased, is exactly the encoding of the ID.
  const std::string canonical = koe::to_user_id(*parsed);
  std::string normalized;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isspace(u)) normalized += static_cast<char>(std::tolower(u));
  }
  if (normalized != canonical) std::abort();
  const auto again = koe::parse_user_id(canonical);
  if (!again || *again != *parsed) std::abort();
  return 0;
}
