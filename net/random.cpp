#include "net/random.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

namespace koe {

SystemRandom::SystemRandom() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

void SystemRandom::fill(MutableByteView out) { randombytes_buf(out.data(), out.size()); }

SeededRandom::SeededRandom(uint64_t seed) {
  for (auto& s : s_) {  // SplitMix64 expands the seed into the state
    seed += 0x9e3779b97f4a7c15ULL;
    uint64_t z = seed;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    s = z ^ (z >> 31);
  }
}

uint64_t SeededRandom::next() {
  auto rotl = [](uint64_t x, int k) { return (x << k) | (x >> (64 - k)); };
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

void SeededRandom::fill(MutableByteView out) {
  size_t i = 0;
  while (i < out.size()) {
    const uint64_t v = next();
    const size_t n = std::min(out.size() - i, sizeof v);
    std::memcpy(out.data() + i, &v, n);
    i += n;
  }
}

}  // namespace koe
