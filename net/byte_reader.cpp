#include "net/byte_reader.hpp"

#include "net/utf8.hpp"

namespace koe {

ByteView ByteReader::bytes(size_t n) {
  if (failed_) return {};
  if (n > remaining()) {
    fail(DecodeError::kTruncated);
    return {};
  }
  const ByteView view = data_.subspan(pos_, n);
  pos_ += n;
  return view;
}

ByteView ByteReader::byte_string(size_t max_length) {
  const uint16_t length = u16();
  if (length > max_length) {
    fail(DecodeError::kOversized);
    return {};
  }
  return bytes(length);
}

std::string ByteReader::utf8_string(size_t max_length) {
  const ByteView raw = byte_string(max_length);
  if (failed_) return {};
  if (!is_valid_wire_text(raw)) {
    fail(DecodeError::kBadUtf8);
    return {};
  }
  return std::string(raw.begin(), raw.end());
}

void ByteReader::fail(DecodeError reason) {
  if (failed_) return;
  failed_ = true;
  error_ = reason;
  pos_ = data_.size();  // nothing more can be read
}

bool ByteReader::expect_end() {
  if (!failed_ && remaining() != 0) fail(DecodeError::kTrailingBytes);
  return !failed_;
}

}  // namespace koe
