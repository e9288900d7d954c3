// Helpers the libFuzzer harnesses share. Header only; the harness's thread.
#pragma once

#include <cstring>

#include "net/bytes.hpp"

namespace koe::fuzz {

// An encoder's output equals the input it decoded, byte for byte (the round-trip check).
inline bool same_bytes(const Bytes& encoded, ByteView input) {
  return encoded.size() == input.size() && (input.empty() || std::memcmp(encoded.data(), input.data(), input.size()) == 0);
}

}  // namespace koe::fuzz
