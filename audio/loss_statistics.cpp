#include "audio/loss_statistics.hpp"

#include <algorithm>
#include <chrono>

namespace koe {

namespace {

uint16_t saturate_u16(int64_t value) {
  return static_cast<uint16_t>(std::clamp<int64_t>(value, 0, 0xFFFF));
}

}  // namespace

void LossStatistics::on_packet(TimePoint now, int64_t sequence, size_t payload_bytes) {
  if (!started_) interval_start_ = now;
  if (!started_ || sequence - newest_ > kMaxJump) {  // first packet, or a new stream
    started_ = true;
    newest_ = sequence;
    next_to_settle_ = sequence;
    arrived_.reset();
    previous_lost_ = false;
  }
  bytes_ += payload_bytes;
  if (sequence < next_to_settle_) return;  // already judged (lost, or a duplicate)
  newest_ = std::max(newest_, sequence);
  // A sequence number further ahead than the bitmap holds settles everything between.
  while (newest_ - next_to_settle_ >= static_cast<int64_t>(kWindow)) settle(next_to_settle_);
  arrived_.set(static_cast<size_t>(sequence % static_cast<int64_t>(kWindow)));
  while (newest_ - next_to_settle_ >= kReorderWindow) settle(next_to_settle_);
}

void LossStatistics::settle(int64_t sequence) {
  const auto bit = static_cast<size_t>(sequence % static_cast<int64_t>(kWindow));
  const bool lost = !arrived_.test(bit);
  arrived_.reset(bit);
  ++settled_;
  ++total_expected_;
  if (lost) {
    ++lost_;
    ++total_lost_;
    if (previous_lost_) ++lost_after_loss_;
  }
  previous_lost_ = lost;
  ++next_to_settle_;
}

void LossStatistics::on_frame_played(bool concealed) {
  ++frames_played_;
  if (concealed) ++frames_concealed_;
}

LossReport LossStatistics::make_report(TimePoint now, Duration jitter, Duration queue_delay) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  LossReport report;
  report.report_id = next_report_id_++;
  if (settled_ > 0) report.loss_fraction = to_fraction256(double(lost_) / double(settled_));
  if (lost_ > 0) report.burst_fraction = to_fraction256(double(lost_after_loss_) / double(lost_));
  if (frames_played_ > 0)
    report.residual_fraction = to_fraction256(double(frames_concealed_) / double(frames_played_));
  report.jitter_ms = saturate_u16(duration_cast<milliseconds>(jitter).count());
  report.queue_delay_ms = saturate_u16(duration_cast<milliseconds>(queue_delay).count());
  const auto elapsed_ms = duration_cast<milliseconds>(now - interval_start_).count();
  if (elapsed_ms > 0) report.receive_kbps = saturate_u16(int64_t(bytes_ * 8) / elapsed_ms);

  interval_start_ = now;
  settled_ = lost_ = lost_after_loss_ = 0;
  frames_played_ = frames_concealed_ = bytes_ = 0;
  return report;
}

}  // namespace koe
