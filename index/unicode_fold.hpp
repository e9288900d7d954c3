// Unicode helpers for name search: UTF-8 <-> code points, simple case folding
// (Latin, Greek, Cyrillic) and NFKC-style width folding (full-width ASCII,
// half-width katakana). Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

namespace koe::unicode {

// Decodes UTF-8; each ill-formed byte becomes U+FFFD, so any input is accepted.
std::u32string decode_utf8(std::string_view text);
// Encodes code points; surrogates and values above U+10FFFF become U+FFFD.
std::string encode_utf8(std::u32string_view code_points);

// The simple (one-to-one) lower-case fold of one code point for Latin (ASCII,
// Latin-1, Extended-A), Greek and Cyrillic; other scripts are returned unchanged.
char32_t fold_case(char32_t c);

// Width folding as NFKC does it for the forms people type into names: full-width
// ASCII becomes ASCII, the ideographic space a space, half-width katakana and
// punctuation become their full-width forms, and a (half-width or combining)
// voiced sound mark merges into the kana before it (ｶﾞ -> ガ).
std::u32string fold_width(std::u32string_view text);

// Scripts written without spaces between words (kana, CJK ideographs): names in
// them are indexed by character n-grams instead of words.
bool is_ideographic(char32_t c);
// Characters that separate words: ASCII and general punctuation, spaces,
// symbols of Latin-1, CJK punctuation and the katakana middle dot.
bool is_separator(char32_t c);

}  // namespace koe::unicode
