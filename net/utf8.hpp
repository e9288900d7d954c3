// UTF-8 well-formedness check for string fields read from or written to the wire.
// Pure function; any thread.
#pragma once

#include <string_view>

#include "net/bytes.hpp"

namespace koe {

// True when `text` is well-formed UTF-8 as defined by RFC 3629 / Unicode table
// 3-7: no overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF,
// no truncated sequences. U+0000 is well-formed.
bool is_valid_utf8(ByteView text);

// What a string field on the wire may hold: well-formed UTF-8 without U+0000,
// since a NUL would silently cut the string short in C APIs (the UI's ImGui)
// while comparing different from the shortened name.
bool is_valid_wire_text(ByteView text);
bool is_valid_wire_text(std::string_view text);

}  // namespace koe
