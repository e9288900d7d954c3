// SequenceUnwrapper: extends a wrapping unsigned counter (u16 sequence numbers, u32 media
// timestamps) to a monotonic int64 by taking the shortest step from the previous value
// (serial-number arithmetic, RFC 1982). One owner thread; a plain value type.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <type_traits>

namespace koe {

template <typename T>
class SequenceUnwrapper {
  static_assert(std::is_unsigned_v<T> && sizeof(T) < sizeof(int64_t));

 public:
  // The extended value of `value`; steps of more than half the range count backwards.
  int64_t unwrap(T value) {
    if (!last_) {
      last_ = value;
      return *last_;
    }
    using Signed = std::make_signed_t<T>;
    const auto step = static_cast<Signed>(static_cast<T>(value - static_cast<T>(*last_)));
    *last_ += step;
    return *last_;
  }

 private:
  std::optional<int64_t> last_;
};

}  // namespace koe
