// CallMedia: one call's media on the voice engine's media thread: our outgoing stream
// (VoiceSender), the peer's incoming stream (VoiceReceiver: jitter buffer, repair,
// concealment), the loss reports exchanged between them, the peer's playback gain and
// the echo test service. CallMediaStats is its plain-number summary (any thread).
// One owner thread (the media thread); it owns its codec state.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "audio/echo_service_recorder.hpp"
#include "audio/voice_receiver.hpp"
#include "audio/voice_sender.hpp"

namespace koe {

// Plain numbers for the call statistics and the E-model.
struct CallMediaStats {
  uint64_t packets_sent = 0;        // voice datagrams we sent (DTX silence sends none)
  uint64_t packets_received = 0;    // well-formed voice datagrams from the peer
  uint64_t packets_lost = 0;        // the peer's, by sequence gaps (after reordering)
  uint64_t packets_malformed = 0;   // refused by the voice frame parser
  uint64_t packets_late = 0;        // arrived after their time had been played
  uint64_t packets_dropped = 0;     // the engine's inbound queue was full (engine's count)
  uint64_t frames_played = 0;       // frames pulled from the jitter buffer
  uint64_t frames_concealed = 0;    // nothing could rebuild them
  uint64_t frames_fec_recovered = 0;  // rebuilt from the next packet's in-band FEC
  uint64_t frames_red_recovered = 0;  // played from a redundant copy
  double jitter_buffer_ms = 0;      // audio buffered ahead of the playout point
  double jitter_target_ms = 0;      // what the jitter buffer steers toward
  int bitrate_bps = 0;              // the Opus bitrate we send at
  bool fec = false;                 // we send in-band FEC
  int red_depth = 0;                // earlier frames copied into each datagram we send
  double loss_fraction = 0;         // packets_lost / packets expected from the peer
  bool echo_finished = false;       // echo service: the recording was played back
};

struct CallMediaConfig {
  VoiceSenderConfig sender;  // first_sequence / first_timestamp: random per call
  VoiceReceiverConfig receiver;
};

class CallMedia {
 public:
  explicit CallMedia(const CallMediaConfig& config);

  // A voice datagram payload from the peer that arrived at `arrival`.
  void on_datagram(TimePoint arrival, ByteView payload);
  // Encodes our next frame: `microphone` (processed, or silence when muted), or the
  // echo service's recording in echo mode. The microphone frame is 48 kHz or the 16 kHz
  // speech band (VoiceSender::send). Our loss report rides along when one is due.
  // nullopt when DTX keeps the frame off the wire.
  std::optional<Bytes> send(TimePoint now, std::span<const Sample> microphone);
  // The peer's next frame (gain not applied) into `out`.
  PullResult play(TimePoint now, std::span<Sample> out);

  void set_gain(float gain) { gain_ = gain; }
  float gain() const { return gain_; }
  // Turns this call into the echo test service (a new recording each time).
  void start_echo_service(Duration record_for);
  // Echo-service calls are not heard on our own speaker.
  bool audible() const { return !echo_.has_value(); }

  CallMediaStats stats() const;

 private:
  VoiceSender sender_;
  VoiceReceiver receiver_;
  float gain_ = 1.0f;
  std::optional<EchoServiceRecorder> echo_;
  std::vector<Sample> outgoing_;  // the echo service's frame; preallocated
  uint64_t frames_played_ = 0;
};

}  // namespace koe
