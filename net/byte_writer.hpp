// ByteWriter: appends big-endian (network order) fields to a Bytes buffer that
// may never exceed a size cap; the mirror of ByteReader, with the same sticky failure.
// One instance per encode, on the caller's thread; it owns the buffer until finish().
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "net/bytes.hpp"

namespace koe {

class ByteWriter {
 public:
  // `max_size` caps the whole buffer (wire::start_packet passes kMaxDatagramSize).
  explicit ByteWriter(size_t max_size) : max_size_(max_size) {}

  void u8(uint8_t v) { write_be(v); }
  void u16(uint16_t v) { write_be(v); }
  void u32(uint32_t v) { write_be(v); }
  void u64(uint64_t v) { write_be(v); }
  // Raw bytes (a fixed-size field, or a payload that runs to the end).
  void bytes(ByteView data);
  // u16 length, then the bytes; fails if longer than `max_length`, so an encoder
  // can never emit what the matching ByteReader::byte_string would reject.
  void byte_string(ByteView data, size_t max_length);
  // As byte_string, and `text` must be well-formed UTF-8 without U+0000.
  void utf8_string(std::string_view text, size_t max_length);

  size_t size() const { return buffer_.size(); }
  // True once any write broke a limit; later writes are ignored.
  bool failed() const { return failed_; }
  // The encoded bytes, or nullopt if any write failed.
  std::optional<Bytes> finish() &&;

 private:
  template <typename U>
  void write_be(U value) {
    uint8_t be[sizeof(U)];
    for (size_t i = 0; i < sizeof(U); ++i) {
      be[i] = static_cast<uint8_t>(value >> (8 * (sizeof(U) - 1 - i)));
    }
    bytes(ByteView{be, sizeof(U)});
  }

  size_t max_size_;
  Bytes buffer_;
  bool failed_ = false;
};

}  // namespace koe
