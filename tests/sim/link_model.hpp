// One simulated link: base latency, a jitter distribution, random and Gilbert-Elliott
// loss, duplication, reordering, MTU and an optional bandwidth queue. Pure functions
// over a LinkState; the simulation's single thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "net/clock.hpp"
#include "net/random.hpp"
#include "tests/sim/sim_trace.hpp"

namespace koe::sim {

// Extra one-way delay added to a link's base latency; never negative.
struct Jitter {
  enum class Shape : uint8_t { kNone, kUniform, kNormal, kPareto };

  // Uniform in [0, max].
  static Jitter uniform(Duration max) { return {Shape::kUniform, max, Duration{0}, 0.0, max}; }
  // Normal(mean, stddev) clamped to [0, mean + 4 stddev].
  static Jitter normal(Duration mean, Duration stddev) {
    return {Shape::kNormal, mean, stddev, 0.0, mean + 4 * stddev};
  }
  // Pareto tail: scale * (U^(-1/shape) - 1), so mostly small with rare long delays,
  // capped at `cap`. shape > 0; smaller shape means a heavier tail.
  static Jitter pareto(Duration scale, double shape, Duration cap) {
    return {Shape::kPareto, scale, Duration{0}, shape, cap};
  }

  Duration sample(SeededRandom& random) const;

  Shape shape = Shape::kNone;
  Duration a{0};  // uniform: max; normal: mean; pareto: scale
  Duration b{0};  // normal: stddev
  double pareto_shape = 0.0;
  Duration cap{0};
};

// Two-state bursty loss (Gilbert-Elliott): before each datagram the chain moves, then
// the datagram is lost with the new state's loss probability. Bad runs last
// 1 / p_bad_to_good datagrams on average.
struct GilbertElliott {
  double p_good_to_bad = 0.0;  // 0 disables the chain
  double p_bad_to_good = 1.0;
  double loss_good = 0.0;
  double loss_bad = 1.0;

  bool enabled() const { return p_good_to_bad > 0.0; }
};

struct LinkParams {
  Duration latency{0};
  Jitter jitter;
  double loss = 0.0;  // independent of the burst chain
  GilbertElliott burst_loss;
  double duplicate = 0.0;      // probability of a second copy (own delay sample)
  double reorder = 0.0;        // probability of being held back by reorder_delay
  Duration reorder_delay{0};   // should exceed the gap between datagrams to reorder them
  size_t mtu = 1472;           // largest UDP payload (Ethernet 1500 - IP - UDP); 0: no limit
  uint64_t bandwidth_bps = 0;  // 0: unlimited, no queue
  Duration max_queue_delay = std::chrono::milliseconds(200);  // drop-tail bound of the queue

  // True when crossing the link changes its LinkState (the caller may skip keeping one).
  bool stateful() const { return burst_loss.enabled() || bandwidth_bps > 0; }
};

// What a link remembers between datagrams.
struct LinkState {
  bool bad = false;        // Gilbert-Elliott state
  TimePoint busy_until{};  // the bandwidth queue drains at this instant
};

struct LinkCrossing {
  std::optional<DropReason> drop;  // set: the datagram is gone and nothing else is
  TimePoint exit{};
  std::optional<TimePoint> duplicate_exit;
  bool reordered = false;
};

// Sends one datagram of `size` bytes that enters the link at `enter`. Draws from `random`
// only for the features the link has enabled, so a plain link costs no draws.
// Order: MTU, loss (burst then random), bandwidth queue, delay, duplication. Lost
// datagrams take no room in the queue.
LinkCrossing cross_link(const LinkParams& params, LinkState& state, SeededRandom& random,
                        TimePoint enter, size_t size);

// A uniform double in [0, 1) from the top 53 bits of one draw (also used by other
// seeded test generators, e.g. speech_synth).
double unit_interval(SeededRandom& random);

}  // namespace koe::sim
