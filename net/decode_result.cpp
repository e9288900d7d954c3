#include "net/decode_result.hpp"

namespace koe {

std::string_view to_string(DecodeError error) {
  switch (error) {
    case DecodeError::kTruncated: return "truncated";
    case DecodeError::kTrailingBytes: return "trailing_bytes";
    case DecodeError::kOversized: return "oversized";
    case DecodeError::kBadFieldValue: return "bad_field_value";
    case DecodeError::kBadUtf8: return "bad_utf8";
    case DecodeError::kBadMagic: return "bad_magic";
    case DecodeError::kBadVersion: return "bad_version";
    case DecodeError::kUnknownType: return "unknown_type";
    case DecodeError::kWrongType: return "wrong_type";
  }
  return "invalid_decode_error";
}

}  // namespace koe
