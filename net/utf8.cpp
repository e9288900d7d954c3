#include "net/utf8.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace koe {

bool is_valid_utf8(ByteView text) {
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const uint8_t lead = text[i];
    if (lead < 0x80) {
      ++i;
      continue;
    }
    // Sequence length and the allowed range of the second byte (Unicode table
    // 3-7): the narrowed ranges exclude overlongs (E0, F0), surrogates (ED) and
    // code points above U+10FFFF (F4). C0, C1 and F5..FF never start a sequence.
    size_t length = 0;
    uint8_t second_lo = 0x80, second_hi = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) second_lo = 0xA0;
      if (lead == 0xED) second_hi = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) second_lo = 0x90;
      if (lead == 0xF4) second_hi = 0x8F;
    } else {
      return false;
    }
    if (n - i < length) return false;
    if (text[i + 1] < second_lo || text[i + 1] > second_hi) return false;
    for (size_t k = 2; k < length; ++k) {
      if ((text[i + k] & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

bool is_valid_wire_text(ByteView text) {
  return std::find(text.begin(), text.end(), uint8_t{0}) == text.end() && is_valid_utf8(text);
}

bool is_valid_wire_text(std::string_view text) {
  return is_valid_wire_text(ByteView{reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

}  // namespace koe
