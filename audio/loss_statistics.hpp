// LossStatistics: the receiver's count of what the network did to a voice stream
// (loss by sequence number, bursts, received rate) and what repair left over, turned
// into a LossReport once per interval. One owner thread (the audio worker).
#pragma once

#include <bitset>
#include <cstdint>

#include "audio/loss_report.hpp"
#include "net/clock.hpp"

namespace koe {

class LossStatistics {
 public:
  // A datagram with extended sequence number `sequence` arrived (duplicates are fine).
  void on_packet(TimePoint now, int64_t sequence, size_t payload_bytes);
  // One played frame: `concealed` when nothing (not even FEC or redundancy) rebuilt it.
  void on_frame_played(bool concealed);

  // Closes the interval since the last report; the caller adds the delay figures.
  LossReport make_report(TimePoint now, Duration jitter, Duration queue_delay);

  // Totals since the start, for statistics.
  uint64_t packets_expected() const { return total_expected_; }
  uint64_t packets_lost() const { return total_lost_; }

 private:
  // A sequence number is judged received or lost once it is this far behind the newest,
  // so reordering within the window is not loss.
  static constexpr int64_t kReorderWindow = 16;
  static constexpr size_t kWindow = 256;  // > kReorderWindow: room for the arrival bitmap
  // A jump further ahead (a minute of 20 ms frames) is a restarted stream, not loss.
  static constexpr int64_t kMaxJump = 3000;

  void settle(int64_t sequence);

  bool started_ = false;
  int64_t newest_ = 0;
  int64_t next_to_settle_ = 0;
  std::bitset<kWindow> arrived_;
  bool previous_lost_ = false;

  // The current interval.
  TimePoint interval_start_{};
  uint64_t settled_ = 0, lost_ = 0, lost_after_loss_ = 0;
  uint64_t frames_played_ = 0, frames_concealed_ = 0, bytes_ = 0;
  uint8_t next_report_id_ = 0;

  uint64_t total_expected_ = 0, total_lost_ = 0;
};

}  // namespace koe
