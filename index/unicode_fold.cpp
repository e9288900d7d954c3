#include "index/unicode_fold.hpp"

#include <array>
#include <cstdint>

namespace koe::unicode {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

bool in(char32_t c, char32_t lo, char32_t hi) { return c >= lo && c <= hi; }

// Ranges where upper- and lower-case letters alternate: the upper-case letter is at
// the given parity and its lower-case partner is the next code point.
struct AlternatingRange {
  char32_t first;
  char32_t last;
  bool upper_is_even;
};
constexpr std::array<AlternatingRange, 9> kAlternating{{
    {0x0100, 0x012F, true},   // Latin Extended-A, first run (Ā ā ... Į į)
    {0x0132, 0x0137, true},   // Ĳ ĳ ... Ķ ķ
    {0x0139, 0x0148, false},  // Ĺ ĺ ... Ň ň
    {0x014A, 0x0177, true},   // Ŋ ŋ ... Ŷ ŷ
    {0x0179, 0x017E, false},  // Ź ź ... Ž ž
    {0x0460, 0x0481, true},   // Cyrillic historic letters
    {0x048A, 0x04BF, true},
    {0x04C1, 0x04CE, false},
    {0x04D0, 0x052F, true},
}};

// Half-width katakana U+FF66..U+FF9D and their full-width forms.
constexpr std::array<char16_t, 56> kHalfWidthKatakana{
    u'ヲ', u'ァ', u'ィ', u'ゥ', u'ェ', u'ォ', u'ャ', u'ュ', u'ョ', u'ッ', u'ー', u'ア', u'イ', u'ウ',
    u'エ', u'オ', u'カ', u'キ', u'ク', u'ケ', u'コ', u'サ', u'シ', u'ス', u'セ', u'ソ', u'タ', u'チ',
    u'ツ', u'テ', u'ト', u'ナ', u'ニ', u'ヌ', u'ネ', u'ノ', u'ハ', u'ヒ', u'フ', u'ヘ', u'ホ', u'マ',
    u'ミ', u'ム', u'メ', u'モ', u'ヤ', u'ユ', u'ヨ', u'ラ', u'リ', u'ル', u'レ', u'ロ', u'ワ', u'ン'};

char32_t half_width_form(char32_t c) {
  switch (c) {
    case 0xFF61: return 0x3002;  // ｡ -> 。
    case 0xFF62: return 0x300C;  // ｢ -> 「
    case 0xFF63: return 0x300D;  // ｣ -> 」
    case 0xFF64: return 0x3001;  // ､ -> 、
    case 0xFF65: return 0x30FB;  // ･ -> ・
    case 0xFF9E: return 0x3099;  // ﾞ -> combining voiced mark
    case 0xFF9F: return 0x309A;  // ﾟ -> combining semi-voiced mark
    default: break;
  }
  if (in(c, 0xFF66, 0xFF9D)) return kHalfWidthKatakana[c - 0xFF66];
  return c;
}

// The kana that `mark` (U+3099 voiced, U+309A semi-voiced) composes with `base`
// into, or 0 when they do not compose (NFC's rule for katakana and hiragana).
char32_t compose_kana(char32_t base, char32_t mark) {
  for (const char32_t offset : {char32_t{0}, char32_t{0x60}}) {  // hiragana, then katakana
    const char32_t k = base - offset;  // as hiragana
    const bool ka_to_do = in(k, 0x304B, 0x3062) && (k % 2 == 1);        // か..ぢ
    const bool tsu_to_do = k == 0x3064 || k == 0x3066 || k == 0x3068;  // つ て と
    const bool ha_row = in(k, 0x306F, 0x307D) && (k - 0x306F) % 3 == 0;  // は ひ ふ へ ほ
    if (mark == 0x3099 && (ka_to_do || tsu_to_do || ha_row)) return base + 1;
    if (mark == 0x309A && ha_row) return base + 2;
  }
  if (base == 0x30A6 && mark == 0x3099) return 0x30F4;  // ウ + ゛ -> ヴ
  return 0;
}

}  // namespace

std::u32string decode_utf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<uint8_t>(text[i]);
    size_t length = 0;
    char32_t c = 0;
    char32_t min = 0;
    if (lead < 0x80) {
      out.push_back(lead);
      ++i;
      continue;
    } else if (in(lead, 0xC2, 0xDF)) {
      length = 2, c = lead & 0x1F, min = 0x80;
    } else if (in(lead, 0xE0, 0xEF)) {
      length = 3, c = lead & 0x0F, min = 0x800;
    } else if (in(lead, 0xF0, 0xF4)) {
      length = 4, c = lead & 0x07, min = 0x10000;
    }
    bool ok = length != 0 && text.size() - i >= length;
    for (size_t k = 1; ok && k < length; ++k) {
      const auto b = static_cast<uint8_t>(text[i + k]);
      ok = (b & 0xC0) == 0x80;
      c = (c << 6) | (b & 0x3F);
    }
    ok = ok && c >= min && c <= 0x10FFFF && !in(c, 0xD800, 0xDFFF);
    out.push_back(ok ? c : kReplacement);
    i += ok ? length : 1;
  }
  return out;
}

std::string encode_utf8(std::u32string_view code_points) {
  std::string out;
  out.reserve(code_points.size() * 3);
  for (char32_t c : code_points) {
    if (c > 0x10FFFF || in(c, 0xD800, 0xDFFF)) c = kReplacement;
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

char32_t fold_case(char32_t c) {
  if (in(c, 'A', 'Z')) return c + 32;
  if (c < 0xB5) return c;
  if (c == 0xB5) return 0x03BC;                                // micro sign -> μ
  if (in(c, 0xC0, 0xDE) && c != 0xD7) return c + 32;          // À..Þ except ×
  if (c == 0x0130) return 'i';                                 // İ
  if (c == 0x0178) return 0xFF;                                // Ÿ -> ÿ
  if (c == 0x017F) return 's';                                 // long s
  if (c == 0x0386) return 0x03AC;                              // Ά
  if (in(c, 0x0388, 0x038A)) return c + 37;                    // Έ Ή Ί
  if (c == 0x038C) return 0x03CC;                              // Ό
  if (in(c, 0x038E, 0x038F)) return c + 63;                    // Ύ Ώ
  if (in(c, 0x0391, 0x03AB) && c != 0x03A2) return c + 32;    // Α..Ϋ
  if (c == 0x03C2) return 0x03C3;                              // final sigma -> σ
  if (in(c, 0x0400, 0x040F)) return c + 80;                    // Ѐ..Џ
  if (in(c, 0x0410, 0x042F)) return c + 32;                    // А..Я
  if (c == 0x04C0) return 0x04CF;                              // palochka
  for (const auto& r : kAlternating) {
    if (in(c, r.first, r.last) && ((c % 2 == 0) == r.upper_is_even)) return c + 1;
  }
  return c;
}

std::u32string fold_width(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    if (in(c, 0xFF01, 0xFF5E)) c = c - 0xFF01 + 0x21;  // full-width ASCII
    if (c == 0x3000) c = ' ';                           // ideographic space
    c = half_width_form(c);
    if (c == 0x309B) c = 0x3099;  // spacing voiced marks compose like the combining ones
    if (c == 0x309C) c = 0x309A;
    if ((c == 0x3099 || c == 0x309A) && !out.empty()) {
      if (const char32_t composed = compose_kana(out.back(), c)) {
        out.back() = composed;
        continue;
      }
    }
    out.push_back(c);
  }
  return out;
}

bool is_ideographic(char32_t c) {
  return in(c, 0x3040, 0x30FA) || in(c, 0x30FC, 0x30FF) ||  // kana (not the middle dot)
         in(c, 0x31F0, 0x31FF) ||                           // katakana phonetic extensions
         c == 0x3005 || c == 0x3006 ||                      // 々 〆
         in(c, 0x3400, 0x4DBF) || in(c, 0x4E00, 0x9FFF) ||  // CJK ideographs, extension A
         in(c, 0xF900, 0xFAFF) ||                           // compatibility ideographs
         in(c, 0x20000, 0x3134F);                           // extensions B..G
}

bool is_separator(char32_t c) {
  if (c < 0x80) return !(in(c, '0', '9') || in(c, 'a', 'z') || in(c, 'A', 'Z'));
  if (in(c, 0x80, 0xBF)) return c != 0xAA && c != 0xB5 && c != 0xBA;  // Latin-1 symbols (not ª µ º)
  if (c == 0xD7 || c == 0xF7) return true;                             // × ÷
  if (in(c, 0x2000, 0x206F)) return true;                              // general punctuation, spaces
  if (in(c, 0x3000, 0x303F)) return c != 0x3005 && c != 0x3006;        // CJK punctuation (not 々 〆)
  return c == 0x30FB || c == 0xFEFF || c == 0xFFFD;                    // ・, BOM, replacement
}

}  // namespace koe::unicode
