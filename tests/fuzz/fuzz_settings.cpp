// libFuzzer harness for the settings.json parser (a hand-edited, maybe corrupt file):
// never crashes; accepted settings survive encode -> parse -> encode unchanged.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "app/settings.hpp"
#include "net/random.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  koe::SeededRandom random(1);
  const koe::Settings defaults = koe::default_settings(random);
  const auto parsed = koe::parse_settings(std::string_view(reinterpret_cast<const char*>(data), size), defaults);
  if (!parsed) {
    if (parsed.error().empty()) std::abort();
    return 0;
  }
  const std::string encoded = koe::encode_settings(parsed->settings);
  const auto again = koe::parse_settings(encoded, defaults);
  if (!again || again->used_defaults || koe::encode_settings(again->settings) != encoded) std::abort();
  return 0;
}
