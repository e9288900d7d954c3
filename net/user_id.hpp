// User IDs: the text form of a NodeId that people read, paste and type, as bech32
// ("koe1" + 38 characters) whose checksum rejects typos before any lookup. Pure; any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "net/expected.hpp"
#include "net/identity.hpp"

namespace koe {

inline constexpr std::string_view kUserIdHrp = "koe";
// "koe" + '1' + 32 data characters (160 bits) + 6 checksum characters.
inline constexpr size_t kUserIdLength = 42;

// Lowercase text, always kUserIdLength characters.
std::string to_user_id(const NodeId& id);

enum class UserIdErrorKind {
  kEmpty,
  kNotKoeId,          // does not start with "koe1"
  kWrongLength,
  kMixedCase,
  kInvalidCharacter,
  kChecksumMismatch,  // a mistyped character
};

struct UserIdError {
  UserIdErrorKind kind;
  size_t position = 0;  // kInvalidCharacter: 1-based, counted from the ID's first character
  char character = 0;   // kInvalidCharacter: the offending byte
  size_t length = 0;    // kWrongLength: the length found

  // One sentence for the user, e.g. "ID has an invalid character 'b' at position 7".
  std::string message() const;
};

// Accepts all-lowercase or all-uppercase text; surrounding whitespace is ignored.
Expected<NodeId, UserIdError> parse_user_id(std::string_view text);

}  // namespace koe
