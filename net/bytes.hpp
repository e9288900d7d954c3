// Byte buffer vocabulary shared by every module.
// Plain value types; any thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace koe {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;
using MutableByteView = std::span<uint8_t>;

}  // namespace koe
