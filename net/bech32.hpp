// Bech32 (BIP-173): a human-readable part, '1', 5-bit data characters and a 6-character
// BCH checksum that detects any error in up to 4 characters. Pure functions; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "net/bytes.hpp"
#include "net/expected.hpp"

namespace koe::bech32 {

inline constexpr size_t kChecksumLength = 6;
// BIP-173's limit; the checksum's detection guarantee holds only up to this length.
inline constexpr size_t kMaxLength = 90;

// `hrp` is lowercase printable ASCII; `data` holds 5-bit values. Returns lowercase text.
std::string encode(std::string_view hrp, ByteView data);

enum class ErrorKind {
  kTooLong,           // more than kMaxLength characters
  kMixedCase,         // both upper- and lowercase letters
  kWrongPrefix,       // does not start with the expected hrp and '1'
  kInvalidCharacter,  // a data character outside the bech32 alphabet
  kTooShort,          // no room for the checksum
  kChecksumMismatch,
};

struct Error {
  ErrorKind kind;
  size_t index = 0;     // for kInvalidCharacter: 0-based offset in the text
  char character = 0;   // for kInvalidCharacter: the offending byte
};

// Checks `text` (all-lower or all-upper case) against the expected lowercase `hrp`
// and returns the 5-bit data values without the checksum.
Expected<Bytes, Error> decode(std::string_view text, std::string_view hrp);

// Regroups bits, most significant first (BIP-173's convertbits). With `pad`, a short
// final group is zero-padded; without, leftover bits must be fewer than from_bits and
// zero, else nullopt. Inputs must fit in from_bits bits, else nullopt.
std::optional<Bytes> regroup_bits(ByteView in, int from_bits, int to_bits, bool pad);

}  // namespace koe::bech32
