// Test traffic helpers: numbered payloads and a log that records every datagram a
// SimSocket receives. Simulation thread only; the log owns copies of what it saw.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "tests/sim/sim_socket.hpp"

namespace koe::sim {

// A payload of `size` bytes (at least 8) that starts with `seq`, little-endian.
inline Bytes numbered_payload(uint64_t seq, size_t size = 64) {
  Bytes out(std::max<size_t>(size, sizeof seq), 0);
  for (size_t i = 0; i < sizeof seq; ++i) out[i] = static_cast<uint8_t>(seq >> (8 * i));
  return out;
}

inline std::optional<uint64_t> payload_number(ByteView bytes) {
  if (bytes.size() < sizeof(uint64_t)) return std::nullopt;
  uint64_t seq = 0;
  for (size_t i = 0; i < sizeof seq; ++i) seq |= uint64_t{bytes[i]} << (8 * i);
  return seq;
}

struct Arrival {
  TimePoint at;
  Endpoint from;
  Bytes bytes;
};

class DatagramLog {
 public:
  // Makes this log the socket's receiver; the log must outlive the socket's use.
  void attach(SimSocket& socket) {
    socket.set_receiver([this](TimePoint now, const Endpoint& from, ByteView bytes) {
      arrivals_.push_back(Arrival{now, from, Bytes(bytes.begin(), bytes.end())});
    });
  }
  const std::vector<Arrival>& arrivals() const { return arrivals_; }
  size_t size() const { return arrivals_.size(); }
  void clear() { arrivals_.clear(); }

 private:
  std::vector<Arrival> arrivals_;
};

}  // namespace koe::sim
