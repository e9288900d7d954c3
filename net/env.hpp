// Env: the operating-system services a protocol core may use, injected at
// construction (as c-toxcore's Tox_System): a clock, a random source and a
// datagram transport. Tests and the simulator pass seeded fakes.
// Each Env belongs to one driver thread; cores call it only from that thread.
#pragma once

#include <cstdint>
#include <span>

#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "net/endpoint.hpp"

namespace koe {

class Random {
 public:
  virtual ~Random() = default;
  virtual void fill(MutableByteView out) = 0;
  uint64_t next_u64() {
    uint64_t v = 0;
    fill({reinterpret_cast<uint8_t*>(&v), sizeof v});
    return v;
  }
  // Uniform in [0, bound); bound > 0.
  uint64_t uniform(uint64_t bound) { return next_u64() % bound; }
};

// Sends datagrams from the node's one socket. Never blocks; a datagram the
// network cannot take is dropped (UDP semantics).
class DatagramTransport {
 public:
  virtual ~DatagramTransport() = default;
  virtual void send(const Endpoint& to, ByteView bytes) = 0;
  virtual Endpoint local_endpoint() const = 0;
};

struct Env {
  Clock& clock;
  Random& random;
  DatagramTransport& transport;
};

// A datagram a sans-IO core wants sent, appended to its outbox.
struct OutDatagram {
  Endpoint to;
  Bytes bytes;
};

}  // namespace koe
