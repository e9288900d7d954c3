#include "net/byte_writer.hpp"

#include <limits>
#include <utility>

#include "net/utf8.hpp"

namespace koe {

void ByteWriter::bytes(ByteView data) {
  if (failed_) return;
  if (data.size() > max_size_ - buffer_.size()) {
    failed_ = true;
    return;
  }
  buffer_.insert(buffer_.end(), data.begin(), data.end());
}

void ByteWriter::byte_string(ByteView data, size_t max_length) {
  if (data.size() > max_length || data.size() > std::numeric_limits<uint16_t>::max()) {
    failed_ = true;
    return;
  }
  u16(static_cast<uint16_t>(data.size()));
  bytes(data);
}

void ByteWriter::utf8_string(std::string_view text, size_t max_length) {
  if (!is_valid_wire_text(text)) {
    failed_ = true;
    return;
  }
  byte_string(ByteView{reinterpret_cast<const uint8_t*>(text.data()), text.size()}, max_length);
}

std::optional<Bytes> ByteWriter::finish() && {
  if (failed_) return std::nullopt;
  return std::move(buffer_);
}

}  // namespace koe
