// Upstream bandwidth probes (owner of wire::PacketType::kUpstreamTrain and
// kUpstreamReport): a node sends a train of full-size packets back to back to a
// supernode, which reports how far apart the first and last ones arrived.
// Plain values and pure functions (sans-IO); any thread.
#pragma once

#include <cstddef>
#include <cstdint>

#include "net/bytes.hpp"
#include "net/decode_result.hpp"
#include "net/wire.hpp"

namespace koe {

// Layouts after the common header (docs/wire-format.md), big-endian:
//   train:  train id u64, index u8, count u8, zero padding to kUpstreamTrainSize
//   report: train id u64, received u8, spread µs u32
inline constexpr size_t kUpstreamTrainSize = wire::kMaxDatagramSize;
inline constexpr size_t kUpstreamTrainHeaderSize = wire::kHeaderSize + 8 + 1 + 1;
inline constexpr size_t kUpstreamReportSize = wire::kHeaderSize + 8 + 1 + 4;
// Shorter trains give a noisy dispersion; longer ones cost the user's upstream.
inline constexpr uint8_t kMinUpstreamTrainLength = 2;
inline constexpr uint8_t kMaxUpstreamTrainLength = 64;
// One report answers a whole train: far smaller than what asked for it.
static_assert(kUpstreamReportSize < kUpstreamTrainSize, "report would amplify");

struct UpstreamTrainPacket {
  uint64_t train_id = 0;  // random per train, chosen by the sender
  uint8_t index = 0;      // 0 .. count - 1
  uint8_t count = 0;      // kMinUpstreamTrainLength .. kMaxUpstreamTrainLength
  friend bool operator==(const UpstreamTrainPacket&, const UpstreamTrainPacket&) = default;
};

struct UpstreamReport {
  uint64_t train_id = 0;
  uint8_t received = 0;    // distinct packets of the train that arrived (>= 2)
  uint32_t spread_us = 0;  // between the earliest and the latest arrival
  friend bool operator==(const UpstreamReport&, const UpstreamReport&) = default;
};

Bytes encode_upstream_train(const UpstreamTrainPacket& packet);
// Whole datagram: exactly kUpstreamTrainSize bytes, index < count, count in range,
// padding all zero (kBadFieldValue otherwise).
Decoded<UpstreamTrainPacket> decode_upstream_train(ByteView datagram);

Bytes encode_upstream_report(const UpstreamReport& report);
// Rejects received < 2 and received > kMaxUpstreamTrainLength.
Decoded<UpstreamReport> decode_upstream_report(ByteView datagram);

// The upstream rate a report shows, in kbit/s: the packets that arrived after the first
// one passed the sender's bottleneck within `spread_us`. Capped at kMaxMeasurableKbps
// (a spread of 0 µs on a fast path).
inline constexpr double kMaxMeasurableKbps = 1'000'000;
double upstream_kbps(const UpstreamReport& report);

}  // namespace koe
