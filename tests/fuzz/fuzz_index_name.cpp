// libFuzzer harness for name search: any bytes as a display name or a query must
// never crash normalization, keyword extraction or matching; keywords stay within
// their cap and are well-formed UTF-8; a name is found by a query equal to it,
// through a keyword it is indexed under (when its keywords were not capped).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "index/name_search.hpp"
#include "net/utf8.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace koe;
  const std::string_view name(reinterpret_cast<const char*>(data), size);
  const auto keywords = name_keywords(name);
  if (keywords.size() > kMaxKeywordsPerName) std::abort();
  for (const auto& k : keywords) {
    if (k.empty() || !is_valid_utf8(ByteView(reinterpret_cast<const uint8_t*>(k.data()), k.size()))) std::abort();
  }
  const auto query = parse_name_query(name);
  if (!query) return 0;
  if (!name_matches(*query, name)) std::abort();
  if (keywords.size() < kMaxKeywordsPerName &&
      std::find(keywords.begin(), keywords.end(), query->keyword) == keywords.end()) {
    std::abort();
  }
  return 0;
}
