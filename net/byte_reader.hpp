// ByteReader: bounds-checked, big-endian (network order) reads over a ByteView,
// with a sticky failure so a decoder can read a whole message and check once.
// One instance per decode, on the caller's thread; it borrows (never owns) the bytes.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "net/bytes.hpp"
#include "net/decode_result.hpp"

namespace koe {

class ByteReader {
 public:
  explicit ByteReader(ByteView data) : data_(data) {}

  // Fixed-width unsigned integers, big-endian. A read past the end fails the
  // reader (kTruncated) and returns 0; so does any read once the reader failed.
  uint8_t u8() { return read_be<uint8_t>(); }
  uint16_t u16() { return read_be<uint16_t>(); }
  uint32_t u32() { return read_be<uint32_t>(); }
  uint64_t u64() { return read_be<uint64_t>(); }

  // The next `n` bytes as a view into the input; empty on failure.
  ByteView bytes(size_t n);
  // A fixed-size field (a key, a nonce); all zeros on failure.
  template <size_t N>
  std::array<uint8_t, N> array() {
    std::array<uint8_t, N> out{};
    const ByteView view = bytes(N);
    if (view.size() == N) std::copy(view.begin(), view.end(), out.begin());
    return out;
  }
  // Length-prefixed byte string: u16 length, then that many bytes. A length
  // above `max_length` fails with kOversized before anything is copied.
  ByteView byte_string(size_t max_length);
  // A length-prefixed string that must be well-formed UTF-8 without U+0000
  // (kBadUtf8 otherwise; NUL would truncate it in C APIs such as the UI's).
  std::string utf8_string(size_t max_length);
  // Everything not read yet (e.g. a sealed payload running to the end).
  ByteView rest() { return bytes(remaining()); }

  size_t remaining() const { return data_.size() - pos_; }
  bool failed() const { return failed_; }
  // The first failure's reason; meaningful only when failed().
  DecodeError error() const { return error_; }
  // Fails the reader for a decoder's own field check. The first reason wins.
  void fail(DecodeError reason);
  // Fails with kTrailingBytes unless every byte was read; true when not failed.
  bool expect_end();

  // Ends a decode: the first failure, else kTrailingBytes if bytes are left,
  // else `value`.
  template <typename T>
  Decoded<T> finish(T value) {
    if (!expect_end()) return error_;
    return value;
  }

 private:
  template <typename U>
  U read_be() {
    const ByteView view = bytes(sizeof(U));
    U value = 0;
    for (const uint8_t b : view) value = static_cast<U>((value << 8) | b);
    return value;
  }

  ByteView data_;
  size_t pos_ = 0;
  bool failed_ = false;
  DecodeError error_ = DecodeError::kTruncated;
};

}  // namespace koe
