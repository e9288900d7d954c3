// The simulated links' behaviour, measured end to end between two hosts: latency and
// jitter distributions, random and bursty loss, duplication, reordering, MTU and
// bandwidth. Statistical bounds are about five standard deviations wide.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "tests/sim/sim_network.hpp"
#include "tests/sim/sim_socket.hpp"
#include "tests/sim/traffic_log.hpp"

namespace koe::sim {
namespace {

using std::chrono::milliseconds;

constexpr Endpoint kA{Endpoint::make_ip(198, 51, 100, 1), 4000};
constexpr Endpoint kB{Endpoint::make_ip(198, 51, 100, 2), 5000};

// Sends `count` numbered datagrams from A to B over `link`, `gap` apart, and runs
// until everything has landed.
class LinkRun {
 public:
  LinkRun(const LinkParams& link, size_t count, Duration gap = Duration{0}, size_t size = 64,
          uint64_t seed = 7)
      : net_(seed) {
    net_.set_realm_link(kInternet, link);
    auto a = net_.open_socket(net_.add_host(kA.ip), kA.port);
    auto b = net_.open_socket(net_.add_host(kB.ip), kB.port);
    log_.attach(*b);
    for (size_t i = 0; i < count; ++i) {
      net_.run_until(TimePoint{gap * static_cast<int64_t>(i)});
      send_times_.push_back(net_.now());
      a->send(kB, numbered_payload(i, size));
    }
    net_.run_until(net_.now() + std::chrono::hours(1));
  }

  const SimStats& stats() const { return net_.stats(); }
  const std::vector<Arrival>& arrivals() const { return log_.arrivals(); }
  // One-way delay of every arrival, in microseconds.
  std::vector<double> delays_us() const {
    std::vector<double> out;
    for (const auto& a : arrivals()) {
      const auto seq = payload_number(a.bytes).value();
      out.push_back(static_cast<double>((a.at - send_times_.at(seq)).count()));
    }
    return out;
  }
  // Per sequence number: how many copies arrived.
  std::vector<int> copies(size_t count) const {
    std::vector<int> out(count, 0);
    for (const auto& a : arrivals()) ++out.at(payload_number(a.bytes).value());
    return out;
  }

 private:
  SimNetwork net_;
  DatagramLog log_;
  std::vector<TimePoint> send_times_;
};

double mean(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double stddev(const std::vector<double>& v) {
  const double m = mean(v);
  double sum = 0;
  for (double x : v) sum += (x - m) * (x - m);
  return std::sqrt(sum / static_cast<double>(v.size() - 1));
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

LinkParams with_latency(Duration latency, Jitter jitter = {}) {
  LinkParams p;
  p.latency = latency;
  p.jitter = jitter;
  return p;
}

TEST(SimLink, UniformJitterStaysWithinBoundsAndCoversThem) {
  const LinkRun run(with_latency(milliseconds(50), Jitter::uniform(milliseconds(20))), 20'000);
  const auto d = run.delays_us();
  ASSERT_EQ(d.size(), 20'000u);
  EXPECT_GE(*std::min_element(d.begin(), d.end()), 50'000);
  EXPECT_LE(*std::max_element(d.begin(), d.end()), 70'000);
  EXPECT_LT(*std::min_element(d.begin(), d.end()), 50'100);
  EXPECT_GT(*std::max_element(d.begin(), d.end()), 69'900);
  EXPECT_NEAR(mean(d), 60'000, 300);  // sd of the mean: 5774 / sqrt(20000) = 41
}

TEST(SimLink, NormalJitterHasItsMeanAndSpreadAndIsClamped) {
  const LinkRun run(
      with_latency(milliseconds(30), Jitter::normal(milliseconds(10), milliseconds(2))), 20'000);
  const auto d = run.delays_us();
  EXPECT_GE(*std::min_element(d.begin(), d.end()), 30'000);
  EXPECT_LE(*std::max_element(d.begin(), d.end()), 30'000 + 10'000 + 4 * 2'000);
  EXPECT_NEAR(mean(d), 40'000, 75);    // sd of the mean: 14
  EXPECT_NEAR(stddev(d), 2'000, 100);  // sd of the sd: about 10
}

TEST(SimLink, ParetoJitterHasAHeavyTailUnderItsCap) {
  // scale 2 ms, shape 2: median extra 2*(sqrt 2 - 1) = 0.83 ms; P(extra > 10 ms) = 1/36.
  const LinkRun run(
      with_latency(milliseconds(10), Jitter::pareto(milliseconds(2), 2.0, milliseconds(100))),
      20'000);
  auto d = run.delays_us();
  for (auto& x : d) x -= 10'000;
  EXPECT_GE(*std::min_element(d.begin(), d.end()), 0);
  EXPECT_LE(*std::max_element(d.begin(), d.end()), 100'000);
  EXPECT_NEAR(median(d), 828, 60);
  const auto tail = std::count_if(d.begin(), d.end(), [](double x) { return x > 10'000; });
  EXPECT_NEAR(static_cast<double>(tail), 20'000.0 / 36, 5 * 23);
}

TEST(SimLink, RandomLossRateMatchesOver100kDatagrams) {
  LinkParams link;
  link.loss = 0.1;
  const LinkRun run(link, 100'000);
  const double lost = static_cast<double>(run.stats().dropped_for(DropReason::kRandomLoss));
  EXPECT_NEAR(lost / 100'000, 0.1, 0.005);  // sd 0.00095
  EXPECT_EQ(run.stats().delivered + run.stats().total_dropped(), 100'000u);
  EXPECT_EQ(run.arrivals().size(), run.stats().delivered);
}

// Lengths of the runs of consecutive missing sequence numbers.
std::vector<double> loss_bursts(const std::vector<int>& copies) {
  std::vector<double> bursts;
  double run = 0;
  for (int c : copies) {
    if (c == 0) {
      ++run;
    } else if (run > 0) {
      bursts.push_back(run);
      run = 0;
    }
  }
  if (run > 0) bursts.push_back(run);
  return bursts;
}

TEST(SimLink, GilbertElliottLossComesInBurstsOfTheConfiguredMeanLength) {
  LinkParams link;
  link.burst_loss = GilbertElliott{0.02, 0.25, 0.0, 1.0};
  const LinkRun run(link, 100'000);
  const auto bursts = loss_bursts(run.copies(100'000));
  ASSERT_GT(bursts.size(), 1000u);
  EXPECT_NEAR(mean(bursts), 1 / 0.25, 0.4);  // geometric: sd 3.5, about 1850 bursts
  const double lost = static_cast<double>(run.stats().dropped_for(DropReason::kBurstLoss));
  EXPECT_NEAR(lost / 100'000, 0.02 / (0.02 + 0.25), 0.01);  // stationary share of "bad"

  LinkParams independent;  // the same loss rate without memory gives runs of about 1
  independent.loss = 0.074;
  const LinkRun plain(independent, 100'000);
  EXPECT_LT(mean(loss_bursts(plain.copies(100'000))), 1.2);
}

TEST(SimLink, DuplicationAddsCopiesAtTheConfiguredRate) {
  LinkParams link = with_latency(milliseconds(10), Jitter::uniform(milliseconds(5)));
  link.duplicate = 0.05;
  const LinkRun run(link, 100'000);
  const auto copies = run.copies(100'000);
  const auto twice = std::count(copies.begin(), copies.end(), 2);
  EXPECT_EQ(std::count(copies.begin(), copies.end(), 1) + twice, 100'000);
  EXPECT_EQ(static_cast<uint64_t>(twice), run.stats().duplicated);
  EXPECT_NEAR(static_cast<double>(twice), 5'000, 5 * 69);
}

// Datagrams that arrive after one sent later than them.
size_t late_arrivals(const std::vector<Arrival>& arrivals) {
  size_t late = 0;
  uint64_t highest = 0;
  for (const auto& a : arrivals) {
    const uint64_t seq = payload_number(a.bytes).value();
    if (seq < highest) ++late;
    highest = std::max(highest, seq);
  }
  return late;
}

TEST(SimLink, ReorderingHoldsBackTheConfiguredShareSoLaterDatagramsOvertake) {
  LinkParams link = with_latency(milliseconds(10));
  const LinkRun in_order(link, 2'000, milliseconds(1));
  EXPECT_EQ(late_arrivals(in_order.arrivals()), 0u);

  link.reorder = 0.1;
  link.reorder_delay = milliseconds(20);
  const LinkRun run(link, 20'000, milliseconds(1));
  EXPECT_EQ(run.arrivals().size(), 20'000u);
  EXPECT_NEAR(static_cast<double>(run.stats().reordered), 2'000, 5 * 42);
  // Each held-back datagram is overtaken unless every one of the next 20 is held back too.
  EXPECT_NEAR(static_cast<double>(late_arrivals(run.arrivals())),
              static_cast<double>(run.stats().reordered), 2);
}

TEST(SimLink, DatagramsAboveTheMtuAreDropped) {
  LinkParams link;
  link.mtu = 1200;
  {
    const LinkRun run(link, 1, Duration{0}, 1200);
    EXPECT_EQ(run.stats().delivered, 1u);
  }
  {
    const LinkRun run(link, 1, Duration{0}, 1201);
    EXPECT_EQ(run.stats().delivered, 0u);
    EXPECT_EQ(run.stats().dropped_for(DropReason::kMtu), 1u);
  }
  link.mtu = 0;  // unlimited
  const LinkRun jumbo(link, 1, Duration{0}, 9000);
  EXPECT_EQ(jumbo.stats().delivered, 1u);
}

TEST(SimLink, BandwidthSerializesDatagramsAndTheQueueDropsTail) {
  LinkParams link = with_latency(milliseconds(5));
  link.bandwidth_bps = 1'000'000;  // 1250 bytes take 10 ms
  link.max_queue_delay = milliseconds(50);
  const LinkRun run(link, 10, Duration{0}, 1250);
  // Datagram k waits 10k ms: those that would wait longer than 50 ms are dropped.
  ASSERT_EQ(run.arrivals().size(), 6u);
  const auto d = run.delays_us();
  for (size_t k = 0; k < d.size(); ++k)
    EXPECT_EQ(d[k], 5'000 + 10'000 * static_cast<double>(k + 1));
  EXPECT_EQ(run.stats().dropped_for(DropReason::kQueueFull), 4u);
}

}  // namespace
}  // namespace koe::sim
