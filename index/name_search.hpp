// Name search vocabulary: how display names are normalized and split, which
// keywords a name is indexed under, and how a query picks its keyword and filters
// the records it finds. Pure functions; any thread.
//
// Words (Latin, Greek, Cyrillic, ... separated by spaces or punctuation) are indexed
// whole and by their prefixes of kMinPrefixLength..kMaxPrefixLength code points.
// Runs of kana and CJK ideographs, written without spaces, are indexed by every
// character and every bigram, so "山田" finds "山田太郎".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/expected.hpp"
#include "net/identity.hpp"

namespace koe {

inline constexpr size_t kMinPrefixLength = 3;  // code points; shorter prefixes match too much
inline constexpr size_t kMaxPrefixLength = 4;  // longer query words are looked up whole
inline constexpr size_t kMaxKeywordsPerName = 12;
inline constexpr size_t kMaxQueryBytes = 64;

// One normalized piece of a name: a word, or a run of ideographic characters.
struct NameTerm {
  std::u32string text;  // case- and width-folded
  bool ideographic = false;
  friend bool operator==(const NameTerm&, const NameTerm&) = default;
};

// Folds width and case and splits at separators and at script changes between
// ideographic and other characters. Accepts any bytes (ill-formed UTF-8 separates).
std::vector<NameTerm> split_name(std::string_view utf8);

// The keywords a display name is indexed under (UTF-8, distinct, at most
// kMaxKeywordsPerName, the most specific first).
std::vector<std::string> name_keywords(std::string_view display_name);

// Where a keyword's entries live in the overlay: BLAKE2b-160 of a domain tag and
// the keyword, so keywords and user IDs never share a key.
NodeId keyword_key(std::string_view keyword);

struct NameQuery {
  std::vector<NameTerm> terms;
  std::string keyword;  // looked up first: the query's most selective term
  // A shorter prefix of a long word, looked up when `keyword` has no entries
  // (a long word may be a prefix of a longer name word, and only short prefixes are indexed).
  std::optional<std::string> fallback_keyword;
};

enum class NameQueryError { kEmpty, kTooLong };

Expected<NameQuery, NameQueryError> parse_name_query(std::string_view query);

// True when every query term matches the name: a word term is a prefix of some
// word of the name; an ideographic term occurs in the name's ideographic text.
bool name_matches(const NameQuery& query, std::string_view display_name);

}  // namespace koe
