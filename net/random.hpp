// Random sources: the OS CSPRNG for real nodes, a seeded generator for tests
// and the simulator (never for keys outside tests).
// Each instance belongs to one thread.
#pragma once

#include <cstdint>

#include "net/env.hpp"

namespace koe {

// libsodium's randombytes (getrandom(2) underneath).
class SystemRandom final : public Random {
 public:
  SystemRandom();
  void fill(MutableByteView out) override;
};

// Deterministic xoshiro256** seeded by SplitMix64: same seed, same stream.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed);
  void fill(MutableByteView out) override;
  uint64_t next();

 private:
  uint64_t s_[4];
};

}  // namespace koe
