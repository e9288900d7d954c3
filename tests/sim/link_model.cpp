#include "tests/sim/link_model.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace koe::sim {

double unit_interval(SeededRandom& random) {
  return static_cast<double>(random.next() >> 11) * 0x1.0p-53;
}

namespace {

bool chance(SeededRandom& random, double p) { return p > 0.0 && unit_interval(random) < p; }

// Box-Muller; our own so the stream is the same under every standard library.
double standard_normal(SeededRandom& random) {
  const double u1 = 1.0 - unit_interval(random);  // (0, 1]: log stays finite
  const double u2 = unit_interval(random);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

Duration clamp_duration(double micros, Duration cap) {
  if (!(micros > 0.0)) return Duration{0};
  if (micros >= static_cast<double>(cap.count())) return cap;
  return Duration{static_cast<Duration::rep>(micros)};
}

Duration sample_delay(const LinkParams& params, SeededRandom& random) {
  return params.latency + params.jitter.sample(random);
}

}  // namespace

Duration Jitter::sample(SeededRandom& random) const {
  switch (shape) {
    case Shape::kNone: return Duration{0};
    case Shape::kUniform:
      return Duration{static_cast<Duration::rep>(
          random.next() % (static_cast<uint64_t>(std::max<Duration::rep>(a.count(), 0)) + 1))};
    case Shape::kNormal:
      return clamp_duration(
          static_cast<double>(a.count()) + static_cast<double>(b.count()) * standard_normal(random),
          cap);
    case Shape::kPareto: {
      const double u = 1.0 - unit_interval(random);  // (0, 1]
      return clamp_duration(
          static_cast<double>(a.count()) * (std::pow(u, -1.0 / pareto_shape) - 1.0), cap);
    }
  }
  return Duration{0};
}

LinkCrossing cross_link(const LinkParams& params, LinkState& state, SeededRandom& random,
                        TimePoint enter, size_t size) {
  LinkCrossing out;
  if (params.mtu != 0 && size > params.mtu) {
    out.drop = DropReason::kMtu;
    return out;
  }
  if (params.burst_loss.enabled()) {
    const auto& ge = params.burst_loss;
    state.bad = state.bad ? !chance(random, ge.p_bad_to_good) : chance(random, ge.p_good_to_bad);
    if (chance(random, state.bad ? ge.loss_bad : ge.loss_good)) {
      out.drop = DropReason::kBurstLoss;
      return out;
    }
  }
  if (chance(random, params.loss)) {
    out.drop = DropReason::kRandomLoss;
    return out;
  }
  TimePoint departs = enter;
  if (params.bandwidth_bps > 0) {
    const TimePoint start = std::max(enter, state.busy_until);
    if (start - enter > params.max_queue_delay) {
      out.drop = DropReason::kQueueFull;
      return out;
    }
    // Serialization time, rounded up so back-to-back datagrams never share an instant.
    const uint64_t bits = uint64_t{size} * 8;
    const auto serialize = Duration{static_cast<Duration::rep>(
        (bits * 1'000'000 + params.bandwidth_bps - 1) / params.bandwidth_bps)};
    state.busy_until = start + serialize;
    departs = state.busy_until;
  }
  out.exit = departs + sample_delay(params, random);
  if (chance(random, params.reorder)) {
    out.exit += params.reorder_delay;
    out.reordered = true;
  }
  if (chance(random, params.duplicate)) out.duplicate_exit = departs + sample_delay(params, random);
  return out;
}

}  // namespace koe::sim
