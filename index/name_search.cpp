#include "index/name_search.hpp"

#include <sodium.h>

#include <algorithm>

#include "index/unicode_fold.hpp"

namespace koe {

namespace {

constexpr std::string_view kKeywordDomain = "koe-keyword-v1";

void add_keyword(std::vector<std::string>& out, std::u32string_view text) {
  if (out.size() >= kMaxKeywordsPerName) return;
  std::string keyword = unicode::encode_utf8(text);
  if (std::find(out.begin(), out.end(), keyword) == out.end()) out.push_back(std::move(keyword));
}

// How selective looking a term up is likely to be: longer words are rarer; a
// bigram of ideographs is far rarer than one ideograph.
size_t selectivity(const NameTerm& term) {
  if (term.ideographic) return term.text.size() >= 2 ? kMaxPrefixLength : 1;
  return term.text.size();
}

std::u32string ideographic_text(const std::vector<NameTerm>& terms) {
  std::u32string all;
  for (const auto& t : terms) {
    if (t.ideographic) all += t.text;
  }
  return all;
}

}  // namespace

std::vector<NameTerm> split_name(std::string_view utf8) {
  const std::u32string folded = unicode::fold_width(unicode::decode_utf8(utf8));
  std::vector<NameTerm> terms;
  NameTerm current;
  auto flush = [&] {
    if (!current.text.empty()) terms.push_back(std::move(current));
    current = NameTerm{};
  };
  for (const char32_t raw : folded) {
    if (unicode::is_separator(raw)) {
      flush();
      continue;
    }
    const char32_t c = unicode::fold_case(raw);
    const bool ideographic = unicode::is_ideographic(c);
    if (!current.text.empty() && current.ideographic != ideographic) flush();
    current.ideographic = ideographic;
    current.text.push_back(c);
  }
  flush();
  return terms;
}

std::vector<std::string> name_keywords(std::string_view display_name) {
  const auto terms = split_name(display_name);
  std::vector<std::string> keywords;
  // Whole words and bigrams first: they are what full-name searches look up.
  for (const auto& t : terms) {
    if (!t.ideographic) {
      add_keyword(keywords, t.text);
    } else {
      for (size_t i = 0; i + 1 < t.text.size(); ++i) add_keyword(keywords, std::u32string_view(t.text).substr(i, 2));
    }
  }
  for (const auto& t : terms) {
    if (!t.ideographic) {
      for (size_t n = kMinPrefixLength; n <= kMaxPrefixLength && n < t.text.size(); ++n) {
        add_keyword(keywords, std::u32string_view(t.text).substr(0, n));
      }
    } else {
      for (size_t i = 0; i < t.text.size(); ++i) add_keyword(keywords, std::u32string_view(t.text).substr(i, 1));
    }
  }
  return keywords;
}

NodeId keyword_key(std::string_view keyword) {
  NodeId key;
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, key.bytes.size());
  crypto_generichash_update(&state, reinterpret_cast<const uint8_t*>(kKeywordDomain.data()), kKeywordDomain.size());
  const uint8_t separator = 0;
  crypto_generichash_update(&state, &separator, 1);
  crypto_generichash_update(&state, reinterpret_cast<const uint8_t*>(keyword.data()), keyword.size());
  crypto_generichash_final(&state, key.bytes.data(), key.bytes.size());
  return key;
}

Expected<NameQuery, NameQueryError> parse_name_query(std::string_view query) {
  if (query.size() > kMaxQueryBytes) return Failure{NameQueryError::kTooLong};
  NameQuery parsed;
  parsed.terms = split_name(query);
  if (parsed.terms.empty()) return Failure{NameQueryError::kEmpty};
  const NameTerm& best = *std::max_element(parsed.terms.begin(), parsed.terms.end(),
                                           [](const NameTerm& a, const NameTerm& b) {
                                             return selectivity(a) < selectivity(b);
                                           });
  const std::u32string_view text = best.text;
  if (best.ideographic) {
    parsed.keyword = unicode::encode_utf8(text.substr(0, 2));  // a bigram (or the one character)
  } else {
    parsed.keyword = unicode::encode_utf8(text);
    if (text.size() > kMaxPrefixLength) parsed.fallback_keyword = unicode::encode_utf8(text.substr(0, kMaxPrefixLength));
  }
  return parsed;
}

bool name_matches(const NameQuery& query, std::string_view display_name) {
  const auto name = split_name(display_name);
  const std::u32string ideographs = ideographic_text(name);
  return std::all_of(query.terms.begin(), query.terms.end(), [&](const NameTerm& q) {
    if (q.ideographic) return ideographs.find(q.text) != std::u32string::npos;
    return std::any_of(name.begin(), name.end(), [&](const NameTerm& w) {
      return !w.ideographic && w.text.starts_with(q.text);
    });
  });
}

}  // namespace koe
