// SpscRing<T, Capacity>: a wait-free single-producer / single-consumer ring of
// trivially copyable values with its storage inline (no pointers inside), so it
// can live in memory shared between two processes. Exactly one producer thread
// calls write()/writable(), exactly one consumer thread calls read()/readable();
// neither ever locks or allocates (safe in real-time callbacks).
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <span>
#include <type_traits>

namespace koe {

template <typename T, size_t Capacity>
class SpscRing {
  static_assert(std::is_trivially_copyable_v<T>);
  static_assert(std::has_single_bit(Capacity), "capacity must be a power of two");
  // Lock-free atomics are also address-free: they work across processes.
  static_assert(std::atomic<size_t>::is_always_lock_free);

 public:
  SpscRing() = default;
  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  static constexpr size_t capacity() { return Capacity; }

  // Consumer side: how many values read() could take now.
  size_t readable() const {
    return write_index_.load(std::memory_order_acquire) - read_index_.load(std::memory_order_relaxed);
  }

  // Producer side: how many values write() could store now.
  size_t writable() const {
    return Capacity - (write_index_.load(std::memory_order_relaxed) -
                       read_index_.load(std::memory_order_acquire));
  }

  // Producer: stores as many of `values` as fit; returns how many were stored.
  size_t write(std::span<const T> values) {
    const size_t w = write_index_.load(std::memory_order_relaxed);
    const size_t n = std::min(values.size(), writable());
    const size_t start = w & kMask;
    const size_t first = std::min(n, Capacity - start);
    std::copy_n(values.data(), first, slots_.data() + start);
    std::copy_n(values.data() + first, n - first, slots_.data());
    write_index_.store(w + n, std::memory_order_release);
    return n;
  }

  // Consumer: takes up to out.size() values; returns how many were taken.
  size_t read(std::span<T> out) {
    const size_t r = read_index_.load(std::memory_order_relaxed);
    const size_t n = std::min(out.size(), readable());
    const size_t start = r & kMask;
    const size_t first = std::min(n, Capacity - start);
    std::copy_n(slots_.data() + start, first, out.data());
    std::copy_n(slots_.data(), n - first, out.data() + first);
    read_index_.store(r + n, std::memory_order_release);
    return n;
  }

 private:
  static constexpr size_t kMask = Capacity - 1;
  static constexpr size_t kCacheLine = 64;

  // Free-running indices: they wrap around size_t and their difference stays
  // right in unsigned arithmetic; the power-of-two capacity makes `& kMask` the
  // slot even across that wrap. Separate cache lines keep the two threads from
  // bouncing one line between cores.
  alignas(kCacheLine) std::atomic<size_t> write_index_{0};
  alignas(kCacheLine) std::atomic<size_t> read_index_{0};
  alignas(kCacheLine) std::array<T, Capacity> slots_{};
};

}  // namespace koe
