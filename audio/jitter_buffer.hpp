// JitterBuffer: the adaptive playout buffer for one remote peer's voice. Packets go in as
// they arrive (any order, duplicates, redundant copies); pull() hands out PCM at the
// playback rate, decoding, recovering lost frames from redundancy or the next packet's
// FEC, concealing what is gone, and steering its delay by time-stretching (or in
// silence) so that packets wait about DelayEstimator's target before they play.
// Sans-IO and deterministic: `now` comes from the caller.
// One owner thread (the audio worker); it owns its decoder and all packet bytes.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "audio/audio_format.hpp"
#include "audio/delay_estimator.hpp"
#include "audio/sequence_unwrapper.hpp"
#include "audio/voice_decoder.hpp"
#include "audio/voice_frame.hpp"
#include "net/clock.hpp"

namespace koe {

// What produced a pulled frame, in rising order of interest: a pull that did several
// things reports the last one listed.
enum class PlayoutKind : uint8_t {
  kSilence,       // not started yet: nothing received, or still filling to the target
  kNormal,        // decoded as received (or audio decoded by an earlier pull)
  kStretched,     // decoded, then shortened or lengthened to steer the delay
  kComfortNoise,  // the sender is silent (DTX): comfort noise from the decoder
  kRedRecovered,  // primary lost; a redundant copy from a later datagram played
  kFecRecovered,  // primary lost; rebuilt from the next packet's in-band FEC
  kConcealed,     // nothing to play: packet-loss concealment
};
std::string_view to_string(PlayoutKind kind);

struct PullResult {
  PlayoutKind kind = PlayoutKind::kSilence;
  int stretched_samples = 0;  // inserted (> 0) or removed (< 0) by time stretching
};

struct JitterBufferStats {
  double target_delay_ms = 0;   // jitter margin plus one frame, plus the repair lookahead
  double current_delay_ms = 0;  // audio buffered ahead of the playout point
  double slack_ms = 0;          // how long a packet with no extra delay waits to play
  uint64_t packets = 0;         // voice frames inserted
  uint64_t late = 0;            // arrived after their time had been played
  uint64_t duplicates = 0;
  uint64_t dropped = 0;         // malformed, too far off the timeline, or overflow
  uint64_t normal = 0;          // frames (decode steps) by outcome
  uint64_t concealed = 0;
  uint64_t fec_recovered = 0;
  uint64_t red_recovered = 0;
  uint64_t comfort_noise = 0;
  uint64_t samples_removed = 0;   // by time stretching
  uint64_t samples_inserted = 0;
  uint64_t resets = 0;  // restarts on a new stream, flushes of an overfull buffer
};

struct JitterBufferConfig {
  DelayEstimatorConfig delay;
  // A buffer holding more than this drops its oldest audio back to the target.
  Duration max_delay = std::chrono::milliseconds(1000);
  size_t max_packets = 250;
  // Packets this far from the playout point are junk, unless several in a row agree
  // (then the stream restarted).
  Duration max_timestamp_jump = std::chrono::seconds(10);
};

class JitterBuffer {
 public:
  explicit JitterBuffer(std::unique_ptr<VoiceDecoder> decoder, JitterBufferConfig config = {});

  void insert(TimePoint arrival, const VoiceFrame& frame);
  // Fills `out` (normally one output frame) with the next audio to play.
  PullResult pull(TimePoint now, std::span<Sample> out);

  const JitterBufferStats& stats() const { return stats_; }
  // Packets waiting to be played (copies included).
  size_t buffered_packets() const { return packets_.size(); }
  const DelayEstimator& delay_estimator() const { return delay_; }

 private:
  struct Packet {
    int64_t sequence;
    Bytes payload;
    PayloadInfo info;
    TimePoint arrival;
    Duration relative_delay;  // behind the fastest packet (copies: their datagram's)
    bool redundant;
  };

  // The decoder's view of a payload, refused if no length or longer than we play.
  std::optional<PayloadInfo> inspect(ByteView payload) const;
  void store(int64_t timestamp, Packet packet);
  bool try_start(TimePoint now);
  void restart();
  void produce(TimePoint now, PullResult& result);
  void decode_next(PullResult& result);
  void observe_slack(TimePoint now, const Packet& packet);
  void recover_lost(PullResult& result, int64_t gap);
  void conceal(int64_t samples, PlayoutKind kind, PullResult& result);
  void steer(PullResult& result);
  void flush_to_target();
  std::span<Sample> grow(size_t samples);

  size_t unplayed() const { return sync_.size() - played_; }
  int64_t buffered_samples() const;
  int64_t target_level_samples() const;
  double slack_ms(TimePoint now, const Packet& packet) const;
  void note_repair(int frames);
  double arrival_margin_ms(TimePoint now, const Packet& packet) const;
  double low_margin_ms() const;
  double queued_ms() const;

  std::unique_ptr<VoiceDecoder> decoder_;
  JitterBufferConfig config_;
  DelayEstimator delay_;
  SequenceUnwrapper<uint16_t> sequences_;
  SequenceUnwrapper<uint32_t> timestamps_;
  std::map<int64_t, Packet> packets_;  // by extended media timestamp
  int far_in_row_ = 0;

  bool playing_ = false;
  int64_t play_ts_ = 0;        // media time of the next sample to decode
  int64_t last_sequence_ = 0;  // of the last frame decoded (or recovered)
  int frame_samples_ = static_cast<int>(kDefaultFrameSamples);  // last frame's length
  bool last_voice_active_ = true;
  bool in_comfort_noise_ = false;
  int64_t waited_ = 0;  // concealment played while the frame at play_ts_ was missing
  size_t pull_samples_ = kDefaultFrameSamples;  // the caller's frame
  int repair_frames_ = 0;  // frames of lookahead the sender's FEC/redundancy needs
  int repair_hold_ = 0;
  // Filtered slack: how long before its turn a packet with no extra delay arrives.
  // Steering keeps it just above the jitter margin; it moves continuously with clock
  // skew, unlike the buffer level, which only moves in whole frames.
  std::optional<double> slack_ms_;

  std::vector<Sample> sync_;  // decoded audio; [played_, end) not played yet
  size_t played_ = 0;
  JitterBufferStats stats_;
};

}  // namespace koe
