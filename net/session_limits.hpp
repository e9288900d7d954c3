// Timing and count limits of secure sessions (WireGuard's constants, renamed),
// injectable so tests can run rekeying and expiry in virtual seconds.
// Plain value; any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>

#include "net/clock.hpp"

namespace koe {

struct SessionLimits {
  // The initiator of a keypair starts a new handshake when the keypair is this old...
  Duration rekey_after_time = std::chrono::seconds(120);
  // ...or has sealed this many messages (either side, whoever reaches it first).
  uint64_t rekey_after_messages = uint64_t{1} << 60;
  // The responder of a keypair waits this much longer before rekeying itself, so
  // the two sides do not usually start simultaneous handshakes.
  Duration responder_rekey_delay = std::chrono::seconds(10);
  // A keypair is never used, in either direction, past this age or count.
  Duration reject_after_time = std::chrono::seconds(180);
  uint64_t reject_after_messages = std::numeric_limits<uint64_t>::max() - (uint64_t{1} << 13) - 1;
  // After a rotation the previous keypair still opens late packets this long.
  Duration previous_key_grace = std::chrono::seconds(60);
  // Initiation retransmission: first delay, doubling up to the cap; give up
  // after this many initiations.
  Duration retransmit_initial = std::chrono::milliseconds(250);
  Duration retransmit_max = std::chrono::seconds(8);
  int max_initiations = 8;
  // Plaintexts held while no keypair can send (dropped oldest first beyond this).
  size_t max_queued_packets = 128;
};

}  // namespace koe
