#include "app/cpu_headroom.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>

namespace koe {
namespace {

namespace fs = std::filesystem;

class CpuHeadroomTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = fs::temp_directory_path() / ("koe-stat-" + std::to_string(::getpid())); }
  void TearDown() override { fs::remove(path_); }
  // user nice system idle iowait irq softirq steal
  void write(const std::string& cpu_line) { std::ofstream(path_) << cpu_line << "\ncpu0 1 2 3 4\n"; }
  fs::path path_;
};

TEST_F(CpuHeadroomTest, IdleAndIowaitShareTimesTheCoresAtMostOne) {
  CpuHeadroom headroom(path_.string());
  write("cpu  100 0 100 700 100 0 0 0");
  EXPECT_FALSE(headroom.sample()) << "one reading measures nothing";
  // 1000 more ticks, 200 of them idle or iowait: 20% of the machine.
  write("cpu  500 0 500 850 150 0 0 0");
  const auto measured = headroom.sample();
  ASSERT_TRUE(measured);
  const double cores = std::max(1u, std::thread::hardware_concurrency());
  EXPECT_NEAR(*measured, std::min(1.0, 0.2 * cores), 1e-9);
  // Fully idle: one core at most, whatever the machine has.
  write("cpu  500 0 500 1850 150 0 0 0");
  EXPECT_DOUBLE_EQ(*headroom.sample(), 1.0);
}

TEST_F(CpuHeadroomTest, UnreadableOrMalformedStatsMeasureNothing) {
  CpuHeadroom missing((path_ / "absent").string());
  EXPECT_FALSE(missing.sample());
  EXPECT_FALSE(missing.sample());
  CpuHeadroom garbled(path_.string());
  write("intr 1 2 3");
  EXPECT_FALSE(garbled.sample());
  EXPECT_FALSE(garbled.sample());
  write("cpu  5 0 5 10 0 0 0 0");
  EXPECT_FALSE(garbled.sample());
  write("cpu  4 0 4 9 0 0 0 0");  // counters went back (not /proc/stat): nothing
  EXPECT_FALSE(garbled.sample());
}

TEST(CpuHeadroom, TheRealProcStatGivesAFraction) {
  CpuHeadroom headroom;
  (void)headroom.sample();
  std::optional<double> measured;
  // The kernel's counters move every tick (10 ms); wait for one, boundedly.
  for (int i = 0; i < 200 && !measured; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    measured = headroom.sample();
  }
  ASSERT_TRUE(measured);
  EXPECT_GE(*measured, 0.0);
  EXPECT_LE(*measured, 1.0);
}

}  // namespace
}  // namespace koe
