#include "net/user_id.hpp"

#include <algorithm>
#include <cstdio>

#include "net/bech32.hpp"

namespace koe {

namespace {

constexpr size_t kPrefixLength = kUserIdHrp.size() + 1;
static_assert(kUserIdLength == kPrefixLength + (kNodeIdSize * 8 + 4) / 5 + bech32::kChecksumLength);

std::string_view trim_whitespace(std::string_view text) {
  constexpr std::string_view kWhitespace = " \t\r\n\v\f";
  const size_t first = text.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kWhitespace) - first + 1);
}

bool has_koe_prefix(std::string_view text) {
  if (text.size() < kPrefixLength) return false;
  for (size_t i = 0; i < kPrefixLength; ++i) {
    const char c = text[i];
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower != (i < kUserIdHrp.size() ? kUserIdHrp[i] : '1')) return false;
  }
  return true;
}

// The character as the user can see it: printable ASCII as is, anything else as \xNN.
std::string describe_character(char c) {
  if (c > ' ' && c < 0x7f) return std::string(1, c);
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(static_cast<unsigned char>(c)));
  return buf;
}

}  // namespace

std::string to_user_id(const NodeId& id) {
  // 160 bits make exactly 32 groups of 5, so no padding is ever added.
  return bech32::encode(kUserIdHrp, *bech32::regroup_bits(id.bytes, 8, 5, true));
}

std::string UserIdError::message() const {
  switch (kind) {
    case UserIdErrorKind::kEmpty:
      return "ID is empty";
    case UserIdErrorKind::kNotKoeId:
      return "not a Koe ID (must start with koe1)";
    case UserIdErrorKind::kWrongLength:
      return "ID has the wrong length: a Koe ID has " + std::to_string(kUserIdLength) + " characters, this has " +
             std::to_string(length);
    case UserIdErrorKind::kMixedCase:
      return "ID mixes upper- and lowercase letters: use all one case";
    case UserIdErrorKind::kInvalidCharacter:
      return "ID has an invalid character '" + describe_character(character) + "' at position " +
             std::to_string(position);
    case UserIdErrorKind::kChecksumMismatch:
      return "ID checksum does not match: check for a mistyped character";
  }
  return "ID is not valid";
}

Expected<NodeId, UserIdError> parse_user_id(std::string_view text) {
  text = trim_whitespace(text);
  if (text.empty()) return Failure{UserIdError{UserIdErrorKind::kEmpty}};
  if (!has_koe_prefix(text)) return Failure{UserIdError{UserIdErrorKind::kNotKoeId}};
  if (text.size() != kUserIdLength) {
    return Failure{UserIdError{.kind = UserIdErrorKind::kWrongLength, .length = text.size()}};
  }

  auto decoded = bech32::decode(text, kUserIdHrp);
  if (!decoded) {
    const bech32::Error& e = decoded.error();
    switch (e.kind) {
      case bech32::ErrorKind::kMixedCase:
        return Failure{UserIdError{UserIdErrorKind::kMixedCase}};
      case bech32::ErrorKind::kInvalidCharacter:
        return Failure{UserIdError{
            .kind = UserIdErrorKind::kInvalidCharacter, .position = e.index + 1, .character = e.character}};
      case bech32::ErrorKind::kChecksumMismatch:
        return Failure{UserIdError{UserIdErrorKind::kChecksumMismatch}};
      case bech32::ErrorKind::kTooLong:  // excluded by the exact length check above
      case bech32::ErrorKind::kTooShort:
      case bech32::ErrorKind::kWrongPrefix:
        return Failure{UserIdError{UserIdErrorKind::kNotKoeId}};
    }
  }
  // 32 five-bit groups regroup to exactly 20 bytes with no leftover bits.
  const auto bytes = bech32::regroup_bits(*decoded, 5, 8, false);
  NodeId id;
  if (!bytes || bytes->size() != kNodeIdSize) return Failure{UserIdError{UserIdErrorKind::kChecksumMismatch}};
  std::copy(bytes->begin(), bytes->end(), id.bytes.begin());
  return id;
}

}  // namespace koe
