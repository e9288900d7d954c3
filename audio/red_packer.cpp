#include "audio/red_packer.hpp"

#include <algorithm>

namespace koe {

namespace {

// Flags, sequence, timestamp, report, then 4 bytes per redundant copy's header.
constexpr size_t kFixedBytes = 1 + 2 + 4 + kLossReportSize;
constexpr size_t kRedHeaderBytes = 4;

}  // namespace

void RedPacker::pack(VoiceFrame& frame, int depth) {
  frame.redundancy.clear();
  const size_t wanted = static_cast<size_t>(std::clamp(depth, 0, int(kMaxRedundantFrames)));
  size_t size = kFixedBytes + frame.opus.size();
  for (const Sent& sent : history_) {
    if (frame.redundancy.size() == wanted) break;
    // Unsigned wrap-around gives the distance back even across a timestamp wrap.
    const uint32_t offset = frame.timestamp - sent.timestamp;
    if (offset == 0 || offset > kMaxRedundancyOffset) break;  // older copies are older still
    size += kRedHeaderBytes + sent.opus.size();
    if (size > kMaxVoiceFrameBytes) break;
    frame.redundancy.push_back({static_cast<uint16_t>(offset), sent.opus});
  }
  history_.push_front({frame.timestamp, frame.opus});
  if (history_.size() > kMaxRedundantFrames) history_.pop_back();
}

}  // namespace koe
