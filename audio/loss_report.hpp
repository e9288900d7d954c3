// LossReport: what a receiver tells the sender about the voice stream it gets (loss
// before and after repair, burstiness, delay), piggybacked on its own voice frames about
// once a second; the sender's BitrateController adapts FEC, redundancy and bitrate to it.
// Plain value and codec; any thread.
#pragma once

#include <cstddef>
#include <cstdint>

#include "net/byte_reader.hpp"
#include "net/byte_writer.hpp"

namespace koe {

struct LossReport {
  uint8_t report_id = 0;          // +1 per new report; a repeat is ignored
  uint8_t loss_fraction = 0;      // packets lost in the network, in 1/256 (as RTCP)
  uint8_t burst_fraction = 0;     // of those, the share whose predecessor was lost too
                                  // (for call statistics; adaptation uses the loss rate)
  uint8_t residual_fraction = 0;  // frames still concealed after FEC and redundancy
  uint16_t jitter_ms = 0;         // the receiver's jitter-buffer target delay
  uint16_t queue_delay_ms = 0;    // arrival delay above its recent minimum (congestion)
  uint16_t receive_kbps = 0;      // voice payload rate that arrived

  bool operator==(const LossReport&) const = default;
};

inline constexpr size_t kLossReportSize = 10;

// A fraction in [0, 1] as 1/256ths (1.0 saturates at 255) and back.
uint8_t to_fraction256(double fraction);
double from_fraction256(uint8_t value);

void write_loss_report(ByteWriter& writer, const LossReport& report);
// Reads kLossReportSize bytes; any bit pattern is a valid report (a short input fails
// the reader).
LossReport read_loss_report(ByteReader& reader);

}  // namespace koe
