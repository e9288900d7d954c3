// Simulator throughput: 10,000 hosts on one jittery internet; every delivered datagram
// is answered to a random host, so a constant number stays in flight. Reports delivered
// datagrams per second of wall time (goal: at least 1,000,000).
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "tests/sim/sim_network.hpp"
#include "tests/sim/sim_socket.hpp"

namespace koe::sim {
namespace {

constexpr uint32_t kHosts = 10'000;
constexpr uint16_t kPort = 4000;

Endpoint host_endpoint(uint32_t i) { return {Endpoint::make_ip(11, 0, 0, 0) + i, kPort}; }

// args: datagrams in flight, link loss in percent (lost datagrams are replaced so the
// load stays constant).
void BM_SimNetworkRandomTraffic(benchmark::State& state) {
  const auto in_flight = static_cast<uint32_t>(state.range(0));
  SimNetwork net(2024);
  LinkParams link;
  link.latency = std::chrono::milliseconds(20);
  link.jitter = Jitter::uniform(std::chrono::milliseconds(10));
  link.loss = static_cast<double>(state.range(1)) / 100.0;
  net.set_realm_link(kInternet, link);

  SeededRandom pick(net.derive_seed(1));
  std::vector<std::unique_ptr<SimSocket>> sockets;
  sockets.reserve(kHosts);
  for (uint32_t i = 0; i < kHosts; ++i) {
    sockets.push_back(net.open_socket(net.add_host(host_endpoint(i).ip), kPort));
    SimSocket* self = sockets.back().get();
    self->set_receiver([self, &pick](TimePoint, const Endpoint&, ByteView bytes) {
      self->send(host_endpoint(static_cast<uint32_t>(pick.next() % kHosts)), bytes);
    });
  }
  const Bytes payload(120, 0x5a);
  auto inject = [&](uint64_t count) {
    for (uint64_t i = 0; i < count; ++i)
      sockets[pick.next() % kHosts]->send(
          host_endpoint(static_cast<uint32_t>(pick.next() % kHosts)), payload);
  };
  inject(in_flight);

  uint64_t delivered = 0;
  for (auto _ : state) {
    const uint64_t before = net.stats().delivered;
    const uint64_t lost_before = net.stats().total_dropped();
    for (int i = 0; i < 10'000; ++i) net.step();
    delivered += net.stats().delivered - before;
    inject(net.stats().total_dropped() - lost_before);
  }
  state.counters["datagrams_per_second"] =
      benchmark::Counter(static_cast<double>(delivered), benchmark::Counter::kIsRate);
  state.counters["virtual_seconds"] =
      std::chrono::duration<double>(net.now().time_since_epoch()).count();
  state.counters["dropped"] = static_cast<double>(net.stats().total_dropped());
}

BENCHMARK(BM_SimNetworkRandomTraffic)
    ->Args({10'000, 0})
    ->Args({100'000, 0})
    ->Args({10'000, 5})
    ->UseRealTime()  // the rate is per second of wall time
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace koe::sim
