#include "net/upstream_probe.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace koe {

namespace {

constexpr size_t kPaddingSize = kUpstreamTrainSize - kUpstreamTrainHeaderSize;

bool valid_count(uint8_t count) { return count >= kMinUpstreamTrainLength && count <= kMaxUpstreamTrainLength; }

}  // namespace

Bytes encode_upstream_train(const UpstreamTrainPacket& packet) {
  ByteWriter writer = wire::start_packet(wire::PacketType::kUpstreamTrain);
  writer.u64(packet.train_id);
  writer.u8(packet.index);
  writer.u8(packet.count);
  static const std::vector<uint8_t> padding(kPaddingSize, 0);
  writer.bytes(padding);
  // Exactly the datagram cap: the writer cannot overflow.
  return std::move(writer).finish().value();
}

Decoded<UpstreamTrainPacket> decode_upstream_train(ByteView datagram) {
  auto reader = wire::open_packet(datagram, wire::PacketType::kUpstreamTrain);
  if (!reader) return reader.error();
  UpstreamTrainPacket packet;
  packet.train_id = reader->u64();
  packet.index = reader->u8();
  packet.count = reader->u8();
  const ByteView padding = reader->bytes(kPaddingSize);
  if (!reader->failed() &&
      (!valid_count(packet.count) || packet.index >= packet.count ||
       !std::all_of(padding.begin(), padding.end(), [](uint8_t b) { return b == 0; })))
    reader->fail(DecodeError::kBadFieldValue);
  return reader->finish(packet);
}

Bytes encode_upstream_report(const UpstreamReport& report) {
  ByteWriter writer = wire::start_packet(wire::PacketType::kUpstreamReport);
  writer.u64(report.train_id);
  writer.u8(report.received);
  writer.u32(report.spread_us);
  return std::move(writer).finish().value();
}

Decoded<UpstreamReport> decode_upstream_report(ByteView datagram) {
  auto reader = wire::open_packet(datagram, wire::PacketType::kUpstreamReport);
  if (!reader) return reader.error();
  UpstreamReport report;
  report.train_id = reader->u64();
  report.received = reader->u8();
  report.spread_us = reader->u32();
  if (!reader->failed() && (report.received < kMinUpstreamTrainLength || report.received > kMaxUpstreamTrainLength))
    reader->fail(DecodeError::kBadFieldValue);
  return reader->finish(report);
}

double upstream_kbps(const UpstreamReport& report) {
  // Only packets that arrived count: a packet dropped at the bottleneck's queue took no
  // time on the link. Loss after the bottleneck makes this an underestimate, the safe
  // side for a node that would volunteer its uplink.
  const double bits = 8.0 * kUpstreamTrainSize * (report.received - 1);
  if (report.spread_us == 0) return kMaxMeasurableKbps;
  return std::min(kMaxMeasurableKbps, bits / report.spread_us * 1000.0);
}

}  // namespace koe
