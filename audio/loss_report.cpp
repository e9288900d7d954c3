#include "audio/loss_report.hpp"

#include <algorithm>
#include <cmath>

namespace koe {

uint8_t to_fraction256(double fraction) {
  const double scaled = std::round(std::clamp(fraction, 0.0, 1.0) * 256.0);
  return static_cast<uint8_t>(std::min(scaled, 255.0));
}

double from_fraction256(uint8_t value) { return value / 256.0; }

void write_loss_report(ByteWriter& writer, const LossReport& report) {
  writer.u8(report.report_id);
  writer.u8(report.loss_fraction);
  writer.u8(report.burst_fraction);
  writer.u8(report.residual_fraction);
  writer.u16(report.jitter_ms);
  writer.u16(report.queue_delay_ms);
  writer.u16(report.receive_kbps);
}

LossReport read_loss_report(ByteReader& reader) {
  LossReport report;
  report.report_id = reader.u8();
  report.loss_fraction = reader.u8();
  report.burst_fraction = reader.u8();
  report.residual_fraction = reader.u8();
  report.jitter_ms = reader.u16();
  report.queue_delay_ms = reader.u16();
  report.receive_kbps = reader.u16();
  return report;
}

}  // namespace koe
