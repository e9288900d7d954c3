#include "net/upstream_probe_server.hpp"

#include <algorithm>

namespace koe {

UpstreamProbeServer::UpstreamProbeServer(UpstreamProbeServerConfig config)
    : config_(config), per_source_(config.trains_per_source) {}

void UpstreamProbeServer::on_datagram(TimePoint now, const Endpoint& from, ByteView bytes) {
  const auto packet = decode_upstream_train(bytes);
  if (!packet || from.ip == 0 || from.port == 0) {
    ++counters_.malformed;
    return;
  }
  auto it = std::find_if(trains_.begin(), trains_.end(),
                         [&](const Train& t) { return t.from == from && t.id == packet->train_id; });
  if (it == trains_.end()) {
    if (trains_.size() >= config_.max_open_trains) {
      ++counters_.table_full;
      return;
    }
    if (!per_source_.allow(now, from.ip)) {
      ++counters_.rate_limited;
      return;
    }
    trains_.push_back(Train{.from = from,
                            .id = packet->train_id,
                            .count = packet->count,
                            .received = 0,
                            .first_arrival = now,
                            .last_arrival = now,
                            .seen = {}});
    it = trains_.end() - 1;
  }
  Train& train = *it;
  if (packet->count != train.count) {
    ++counters_.malformed;
    return;
  }
  uint64_t& word = train.seen[packet->index / 64];
  const uint64_t bit = uint64_t{1} << (packet->index % 64);
  if (word & bit) return;  // a duplicate says nothing about the uplink
  word |= bit;
  ++train.received;
  train.last_arrival = now;
  if (train.received == train.count) {
    report(train);
    trains_.erase(it);
  }
}

void UpstreamProbeServer::on_timer(TimePoint now) {
  std::erase_if(trains_, [&](const Train& train) {
    if (now < train.first_arrival + config_.train_timeout) return false;
    report(train);
    return true;
  });
}

TimePoint UpstreamProbeServer::next_timeout() const {
  TimePoint next = kNever;
  for (const Train& train : trains_) next = std::min(next, train.first_arrival + config_.train_timeout);
  return next;
}

void UpstreamProbeServer::report(const Train& train) {
  if (train.received < kMinUpstreamTrainLength) {
    ++counters_.too_short;
    return;
  }
  const auto spread = std::chrono::duration_cast<std::chrono::microseconds>(train.last_arrival - train.first_arrival);
  const UpstreamReport report{.train_id = train.id,
                              .received = train.received,
                              .spread_us = static_cast<uint32_t>(std::clamp<int64_t>(spread.count(), 0, UINT32_MAX))};
  outbox_.push_back({train.from, encode_upstream_report(report)});
  ++counters_.reports_sent;
}

}  // namespace koe
