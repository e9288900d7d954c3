// The decode-error vocabulary every wire decoder shares, and Decoded<T>: a value
// or the reason it could not be decoded. Plain value types; any thread.
#pragma once

#include <cstdint>
#include <string_view>

#include "net/expected.hpp"

namespace koe {

enum class DecodeError : uint8_t {
  kTruncated,      // input ends before the message (or a field) does
  kTrailingBytes,  // bytes left over after a complete message
  kOversized,      // datagram or field longer than its limit
  kBadFieldValue,  // a field holds a value the message does not allow
  kBadUtf8,        // a string field is not well-formed UTF-8
  kBadMagic,       // first byte is not wire::kMagic: not one of ours
  kBadVersion,     // a protocol version we do not speak
  kUnknownType,    // a packet type not listed in net/wire.hpp
  kWrongType,      // a known packet type, but not the one this decoder reads
};

// Stable lowercase name for logs and counters ("truncated", "bad_magic", ...).
std::string_view to_string(DecodeError error);

// Either a decoded T or the DecodeError that stopped decoding, so decoders can
// `return value;` or `return DecodeError::kTruncated;`.
template <typename T>
using Decoded = Expected<T, DecodeError>;

}  // namespace koe
