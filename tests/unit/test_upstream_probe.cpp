// Upstream bandwidth probes: the train and report codecs, the receiving server, the
// meter, and both together on the simulated network with a bandwidth-limited uplink.
#include <gtest/gtest.h>

#include <cmath>

#include "net/random.hpp"
#include "net/upstream_meter.hpp"
#include "net/upstream_probe.hpp"
#include "net/upstream_probe_server.hpp"
#include "tests/sim/sim_network.hpp"
#include "tests/sim/sim_socket.hpp"

namespace koe {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr Endpoint kSender{Endpoint::make_ip(198, 51, 100, 7), 40000};
constexpr Endpoint kServer{Endpoint::make_ip(203, 0, 113, 1), 7000};
const TimePoint kT0 = TimePoint{} + seconds(100);

TEST(UpstreamProbe, TrainPacketsAreFullSizeAndRoundTrip) {
  const Bytes packet = encode_upstream_train({.train_id = 0x0102030405060708ull, .index = 3, .count = 24});
  ASSERT_EQ(packet.size(), kUpstreamTrainSize);
  EXPECT_EQ(packet[2], static_cast<uint8_t>(wire::PacketType::kUpstreamTrain));
  const auto decoded = decode_upstream_train(packet);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, (UpstreamTrainPacket{0x0102030405060708ull, 3, 24}));
}

TEST(UpstreamProbe, TrainDecoderRejectsBadFields) {
  const auto field_error = [](UpstreamTrainPacket p) { return decode_upstream_train(encode_upstream_train(p)).error(); };
  EXPECT_EQ(field_error({.train_id = 1, .index = 5, .count = 5}), DecodeError::kBadFieldValue);  // index >= count
  EXPECT_EQ(field_error({.train_id = 1, .index = 0, .count = 1}), DecodeError::kBadFieldValue);  // too short
  EXPECT_EQ(field_error({.train_id = 1, .index = 0, .count = kMaxUpstreamTrainLength + 1}), DecodeError::kBadFieldValue);
  Bytes packet = encode_upstream_train({.train_id = 1, .index = 0, .count = 2});
  packet.back() = 1;  // padding must be zero
  EXPECT_EQ(decode_upstream_train(packet).error(), DecodeError::kBadFieldValue);
  packet.pop_back();
  EXPECT_EQ(decode_upstream_train(packet).error(), DecodeError::kTruncated);
}

TEST(UpstreamProbe, ReportRoundTripsAndRejectsImpossibleValues) {
  const UpstreamReport report{.train_id = 9, .received = 20, .spread_us = 210'000};
  const Bytes bytes = encode_upstream_report(report);
  EXPECT_EQ(bytes.size(), kUpstreamReportSize);
  ASSERT_TRUE(decode_upstream_report(bytes).ok());
  EXPECT_EQ(*decode_upstream_report(bytes), report);
  UpstreamReport bad = report;
  bad.received = kMaxUpstreamTrainLength + 1;
  EXPECT_EQ(decode_upstream_report(encode_upstream_report(bad)).error(), DecodeError::kBadFieldValue);
  bad.received = 1;
  EXPECT_EQ(decode_upstream_report(encode_upstream_report(bad)).error(), DecodeError::kBadFieldValue);
  Bytes longer = bytes;
  longer.push_back(0);
  EXPECT_EQ(decode_upstream_report(longer).error(), DecodeError::kTrailingBytes);
}

TEST(UpstreamProbe, RateCountsThePacketsThatArrivedAfterTheFirst) {
  // 10 packets of 1200 bytes after the first one in 96 ms: 96,000 bits / 96 ms = 1000 kbit/s.
  EXPECT_DOUBLE_EQ(upstream_kbps({.train_id = 1, .received = 11, .spread_us = 96'000}),
                   1000.0);
  EXPECT_EQ(upstream_kbps({.train_id = 1, .received = 2, .spread_us = 0}),
            kMaxMeasurableKbps);
}

// Feeds a whole train to the server, one packet every `gap`, and returns its outbox.
std::vector<OutDatagram> feed_train(UpstreamProbeServer& server, uint64_t id, uint8_t count, TimePoint start,
                                    Duration gap, const Endpoint& from = kSender) {
  for (uint8_t i = 0; i < count; ++i)
    server.on_datagram(start + gap * i, from, encode_upstream_train({.train_id = id, .index = i, .count = count}));
  return server.take_outbox();
}

TEST(UpstreamProbeServer, ReportsACompleteTrainAtOnce) {
  UpstreamProbeServer server;
  const auto out = feed_train(server, 42, 10, kT0, milliseconds(2));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to, kSender);
  const auto report = decode_upstream_report(out[0].bytes);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(*report, (UpstreamReport{.train_id = 42, .received = 10,
                                     .spread_us = 18'000}));
  EXPECT_EQ(server.open_trains(), 0u);
}

TEST(UpstreamProbeServer, ReportsAnIncompleteTrainAfterTheTimeoutAndCountsDuplicatesOnce) {
  UpstreamProbeServer server;
  for (const uint8_t i : {0, 2, 2, 5})
    server.on_datagram(kT0 + milliseconds(i), kSender, encode_upstream_train({.train_id = 7, .index = i, .count = 8}));
  EXPECT_TRUE(server.take_outbox().empty());
  ASSERT_EQ(server.next_timeout(), kT0 + milliseconds(500));
  server.on_timer(kT0 + milliseconds(500));
  const auto out = server.take_outbox();
  ASSERT_EQ(out.size(), 1u);
  const auto report = decode_upstream_report(out[0].bytes);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->received, 3);
  EXPECT_EQ(report->spread_us, 5'000u);
  EXPECT_EQ(server.next_timeout(), kNever);
}

TEST(UpstreamProbeServer, OnePacketIsNoMeasurementAndGetsNoAnswer) {
  UpstreamProbeServer server;
  server.on_datagram(kT0, kSender, encode_upstream_train({.train_id = 7, .index = 0, .count = 8}));
  server.on_timer(kT0 + seconds(1));
  EXPECT_TRUE(server.take_outbox().empty());
  EXPECT_EQ(server.counters().too_short, 1u);
}

TEST(UpstreamProbeServer, LimitsNewTrainsPerSourceAndOpenTrainsInAll) {
  UpstreamProbeServer server;
  // Burst 3, then one per second: a flood of train ids from one source gets 3 answers.
  size_t answered = 0;
  for (uint64_t id = 1; id <= 20; ++id) answered += feed_train(server, id, 2, kT0, Duration{0}).size();
  EXPECT_EQ(answered, 3u);
  EXPECT_EQ(server.counters().rate_limited, 17u * 2);  // both packets of each refused train
  // Many sources each opening a train that never completes: the table stays bounded.
  for (uint16_t port = 1; port <= 100; ++port)
    server.on_datagram(kT0, Endpoint{kSender.ip + port, port},
                       encode_upstream_train({.train_id = 1, .index = 0, .count = 8}));
  EXPECT_EQ(server.open_trains(), 64u);
  EXPECT_EQ(server.counters().table_full, 36u);
}

TEST(UpstreamProbeServer, DropsMalformedPacketsAndCountsThem) {
  UpstreamProbeServer server;
  server.on_datagram(kT0, kSender, encode_upstream_report({.train_id = 1, .received = 2, .spread_us = 1}));
  server.on_datagram(kT0, kSender, Bytes(40, 0x4B));
  server.on_datagram(kT0, kSender, encode_upstream_train({.train_id = 1, .index = 0, .count = 4}));
  server.on_datagram(kT0, kSender, encode_upstream_train({.train_id = 1, .index = 1, .count = 5}));  // count changed
  EXPECT_EQ(server.counters().malformed, 3u);
  EXPECT_TRUE(server.take_outbox().empty());
}

// Runs one measurement round: the due train goes out and is answered with `spread_us`.
void answer_train(UpstreamMeter& meter, TimePoint now, uint32_t spread_us) {
  meter.on_timer(now);
  const auto train = meter.take_outbox();
  ASSERT_EQ(train.size(), 4u);
  EXPECT_EQ(train[0].to, kServer);
  const auto first = decode_upstream_train(train[0].bytes);
  ASSERT_TRUE(first.ok());
  meter.on_datagram(now, kServer, encode_upstream_report({.train_id = first->train_id, .received = 4, .spread_us = spread_us}));
}

TEST(UpstreamMeter, SendsTrainsToItsTargetAndTakesTheBestOfTheLastThree) {
  SeededRandom random(1);
  UpstreamMeter meter(random, UpstreamMeterConfig{.train_length = 4});
  EXPECT_EQ(meter.next_timeout(), kNever);  // nowhere to measure yet
  EXPECT_FALSE(meter.kbps());
  meter.set_target(kT0, kServer);
  EXPECT_EQ(meter.next_timeout(), kT0 + seconds(5));
  // 3 packets of 9,600 bits after the first: 28,800 µs is 1000 kbit/s.
  const uint32_t spreads_us[] = {28'800, 14'400, 57'600, 57'600, 57'600};  // 1000, 2000, 500, 500, 500
  const double expected[] = {1000, 2000, 2000, 2000, 500};
  TimePoint now = kT0 + seconds(5);
  std::vector<Duration> gaps;
  for (size_t i = 0; i < std::size(spreads_us); ++i) {
    answer_train(meter, now, spreads_us[i]);
    EXPECT_NEAR(meter.kbps().value_or(-1), expected[i], 1e-6) << i;
    gaps.push_back(meter.next_timeout() - now);
    now = meter.next_timeout();
  }
  // Three results 20 s apart, then one every half hour.
  EXPECT_EQ(gaps[0], seconds(20));
  EXPECT_EQ(gaps[1], seconds(20));
  EXPECT_EQ(gaps[2], std::chrono::minutes(30));
  EXPECT_EQ(meter.counters().reports, 5u);
}

TEST(UpstreamMeter, RetriesAnUnansweredTrainAndIgnoresStrangers) {
  SeededRandom random(2);
  UpstreamMeter meter(random, UpstreamMeterConfig{.train_length = 4});
  meter.set_target(kT0, kServer);
  meter.on_timer(kT0 + seconds(5));
  const auto train = meter.take_outbox();
  ASSERT_EQ(train.size(), 4u);
  const uint64_t id = decode_upstream_train(train[0].bytes)->train_id;
  const Bytes report = encode_upstream_report({.train_id = id, .received = 4,
                                               .spread_us = 1000});
  meter.on_datagram(kT0 + seconds(5), kSender, report);  // not the target
  meter.on_datagram(kT0 + seconds(5), kServer, Bytes(20, 0));
  EXPECT_EQ(meter.counters().ignored, 2u);
  EXPECT_FALSE(meter.kbps());
  ASSERT_EQ(meter.next_timeout(), kT0 + seconds(8));  // the report timeout
  meter.on_timer(kT0 + seconds(8));
  EXPECT_EQ(meter.counters().unanswered, 1u);
  meter.on_datagram(kT0 + seconds(9), kServer, report);  // too late: that train is forgotten
  EXPECT_FALSE(meter.kbps());
  EXPECT_EQ(meter.next_timeout(), kT0 + seconds(68));
}

TEST(UpstreamMeter, ADueTrainWaitsWhilePaused) {
  SeededRandom random(3);
  UpstreamMeter meter(random, UpstreamMeterConfig{.train_length = 4});
  meter.set_target(kT0, kServer);
  meter.set_paused(true);
  EXPECT_EQ(meter.next_timeout(), kNever);
  meter.on_timer(kT0 + seconds(30));
  EXPECT_TRUE(meter.take_outbox().empty());
  meter.set_paused(false);
  EXPECT_LE(meter.next_timeout(), kT0 + seconds(30));
  meter.on_timer(kT0 + seconds(30));
  EXPECT_EQ(meter.take_outbox().size(), 4u);
}

// The meter and the server on the simulated network, the sender behind an uplink of
// `uplink_bps` (a drop-tail queue of 200 ms, as the simulator's links have).
struct MeasuredUplink {
  double kbps = 0;
  uint64_t trains = 0;
};

MeasuredUplink measure_on_sim(uint64_t uplink_bps, double loss, Duration latency, uint64_t seed) {
  sim::SimNetwork net(seed);
  const auto sender_host = net.add_host(kSender.ip);
  const auto server_host = net.add_host(kServer.ip);
  sim::LinkParams uplink;
  uplink.bandwidth_bps = uplink_bps;
  uplink.loss = loss;
  net.set_access_link(sender_host, uplink);
  sim::LinkParams path;
  path.latency = latency;
  net.set_realm_link(sim::kInternet, path);
  auto sender_socket = net.open_socket(sender_host, kSender.port);
  auto server_socket = net.open_socket(server_host, kServer.port);

  SeededRandom random(net.derive_seed(1));
  UpstreamMeter meter(random);
  UpstreamProbeServer server;
  const auto flush = [&] {
    for (auto& d : meter.take_outbox()) sender_socket->send(d.to, d.bytes);
    for (auto& d : server.take_outbox()) server_socket->send(d.to, d.bytes);
  };
  // Timers run every millisecond: the cores' own timeouts are far coarser.
  std::function<void(TimePoint)> tick = [&](TimePoint now) {
    if (meter.next_timeout() <= now) meter.on_timer(now);
    if (server.next_timeout() <= now) server.on_timer(now);
    flush();
    net.schedule(now + milliseconds(1), tick);
  };
  sender_socket->set_receiver([&](TimePoint now, const Endpoint& from, ByteView bytes) {
    meter.on_datagram(now, from, bytes);
    flush();
  });
  server_socket->set_receiver([&](TimePoint now, const Endpoint& from, ByteView bytes) {
    server.on_datagram(now, from, bytes);
    flush();
  });
  meter.set_target(net.now(), kServer);
  net.schedule(net.now(), tick);
  net.run_until([&] { return meter.counters().reports >= 3; }, net.now() + std::chrono::minutes(10));
  return {meter.kbps().value_or(0), meter.counters().trains_sent};
}

TEST(UpstreamMeterOnSim, MeasuresTheUplinkItIsBehind) {
  for (const uint64_t bps : {512'000ull, 1'000'000ull, 10'000'000ull, 50'000'000ull}) {
    const MeasuredUplink m = measure_on_sim(bps, 0.0, milliseconds(40), 7);
    EXPECT_NEAR(m.kbps, bps / 1000.0, bps / 1000.0 * 0.02) << bps;
  }
}

TEST(UpstreamMeterOnSim, LossOnTheUplinkStillGivesTheRate) {
  // A packet lost before the bottleneck takes no time on it: counting only what arrived
  // keeps the rate right at 10% loss.
  const MeasuredUplink m = measure_on_sim(2'000'000, 0.10, milliseconds(30), 11);
  EXPECT_NEAR(m.kbps, 2000, 2000 * 0.05);
}

}  // namespace
}  // namespace koe
