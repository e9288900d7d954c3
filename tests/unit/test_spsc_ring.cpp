#include "audio/spsc_ring.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <numeric>
#include <memory>
#include <random>
#include <thread>
#include <type_traits>
#include <vector>

#include "audio/audio_rings.hpp"

namespace koe {
namespace {

TEST(SpscRing, HoldsNoPointersSoItCanLiveInSharedMemory) {
  using Ring = SpscRing<int16_t, 1024>;
  EXPECT_TRUE(std::is_standard_layout_v<Ring>);
  EXPECT_TRUE(std::is_trivially_destructible_v<Ring>);
  EXPECT_GE(sizeof(Ring), 1024 * sizeof(int16_t));
  EXPECT_EQ(Ring::capacity(), 1024u);
}

TEST(SpscRing, StartsEmptyWithFullRoom) {
  SpscRing<int16_t, 8> ring;
  EXPECT_EQ(ring.readable(), 0u);
  EXPECT_EQ(ring.writable(), 8u);
  std::vector<int16_t> out(4, -1);
  EXPECT_EQ(ring.read(out), 0u);
  EXPECT_EQ(out, std::vector<int16_t>(4, -1));
}

TEST(SpscRing, WriteStoresOnlyWhatFitsAndReadReturnsItInOrder) {
  SpscRing<int16_t, 8> ring;
  std::vector<int16_t> in(10);
  std::iota(in.begin(), in.end(), 1);
  EXPECT_EQ(ring.write(in), 8u);
  EXPECT_EQ(ring.readable(), 8u);
  EXPECT_EQ(ring.writable(), 0u);
  EXPECT_EQ(ring.write(in), 0u);

  std::vector<int16_t> out(3);
  EXPECT_EQ(ring.read(out), 3u);
  EXPECT_EQ(out, (std::vector<int16_t>{1, 2, 3}));
  EXPECT_EQ(ring.writable(), 3u);

  std::vector<int16_t> rest(20);
  EXPECT_EQ(ring.read(rest), 5u);
  EXPECT_EQ(std::vector<int16_t>(rest.begin(), rest.begin() + 5),
            (std::vector<int16_t>{4, 5, 6, 7, 8}));
  EXPECT_EQ(ring.readable(), 0u);
}

TEST(SpscRing, DataSurvivesWrappingAroundTheEndManyTimes) {
  SpscRing<int32_t, 16> ring;
  std::mt19937 rng(7);
  int32_t next_in = 0;
  int32_t next_out = 0;
  for (int round = 0; round < 10000; ++round) {
    std::vector<int32_t> in(rng() % 17);
    for (auto& v : in) v = next_in++;
    const size_t stored = ring.write(in);
    next_in -= static_cast<int32_t>(in.size() - stored);  // what did not fit is offered again
    std::vector<int32_t> out(rng() % 17);
    out.resize(ring.read(out));
    for (const int32_t v : out) ASSERT_EQ(v, next_out++);
  }
  EXPECT_GT(next_out, 10000);
}

TEST(SpscRing, TwoThreadsPassEverySampleInOrder) {
  constexpr uint32_t kTotal = 2'000'000;
  auto ring_memory = std::make_unique<SpscRing<uint32_t, 1024>>();
  auto& ring = *ring_memory;
  std::thread producer([&] {
    std::mt19937 rng(11);
    uint32_t next = 0;
    std::vector<uint32_t> chunk;
    while (next < kTotal) {
      chunk.resize(std::min<uint32_t>(1 + rng() % 300, kTotal - next));
      std::iota(chunk.begin(), chunk.end(), next);
      next += static_cast<uint32_t>(ring.write(chunk));
      if (ring.writable() == 0) std::this_thread::yield();
    }
  });
  std::mt19937 rng(13);
  uint32_t expected = 0;
  uint32_t mismatches = 0;
  std::vector<uint32_t> chunk;
  while (expected < kTotal) {
    chunk.resize(1 + rng() % 300);
    chunk.resize(ring.read(chunk));
    for (const uint32_t v : chunk) mismatches += v != expected++;
    if (chunk.empty()) std::this_thread::yield();
  }
  producer.join();
  EXPECT_EQ(mismatches, 0u);
  EXPECT_EQ(ring.readable(), 0u);
}

TEST(AudioRings, SharedMemoryCarriesSamplesBetweenProcesses) {
  const RingsMemory memory = RingsMemory::shared();
  ASSERT_GE(memory.fd(), 0);
  constexpr int kTotal = 200000;
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // the producer, as an audio host would be
    AudioRings& rings = memory.rings();
    Sample next = 0;
    for (int written = 0; written < kTotal;) {
      std::vector<Sample> chunk(std::min(480, kTotal - written));
      for (auto& v : chunk) v = next++;
      const size_t n = rings.capture.write(chunk);
      next = static_cast<Sample>(next - static_cast<Sample>(chunk.size() - n));
      written += static_cast<int>(n);
      if (n == 0) std::this_thread::yield();
    }
    _exit(0);
  }
  std::vector<Sample> got;
  std::vector<Sample> buffer(1000);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (got.size() < kTotal && std::chrono::steady_clock::now() < give_up) {
    const size_t n = memory.rings().capture.read(buffer);
    got.insert(got.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
    if (n == 0) std::this_thread::yield();
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  uint32_t mismatches = 0;
  for (size_t i = 0; i < got.size(); ++i) mismatches += got[i] != static_cast<Sample>(i);
  EXPECT_EQ(mismatches, 0u);
}

}  // namespace
}  // namespace koe
