// RedPacker: the sender side of packet-level redundancy (as WebRTC's RED for Opus,
// RFC 2198): remembers the last frames sent and copies the newest `depth` of them into
// each outgoing VoiceFrame, so a receiver rebuilds a lost frame from a later datagram.
// One owner thread (the audio worker); it owns copies of the frames it remembers.
#pragma once

#include <cstdint>
#include <deque>

#include "audio/voice_frame.hpp"

namespace koe {

class RedPacker {
 public:
  // Adds up to `depth` (clamped to kMaxRedundantFrames) earlier frames to `frame`,
  // newest first, skipping copies that would be too old or overflow the datagram,
  // then remembers `frame`'s own payload for the frames after it.
  void pack(VoiceFrame& frame, int depth);
  void reset() { history_.clear(); }

 private:
  struct Sent {
    uint32_t timestamp;
    Bytes opus;
  };
  std::deque<Sent> history_;  // newest first, at most kMaxRedundantFrames
};

}  // namespace koe
