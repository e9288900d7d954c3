// OpusVoiceEncoder: libopus set up for calls: VOIP application, voice signal, constrained
// VBR, in-band FEC sized by the receiver's reported loss, DTX with comfort noise.
// One thread (the audio worker) uses an instance; it owns the libopus state.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <span>

#include "audio/audio_format.hpp"
#include "net/bytes.hpp"

struct OpusEncoder;

namespace koe {

// Speech bitrates the issue asks for; the controller stays inside them.
inline constexpr int kMinVoiceBitrate = 16000;
inline constexpr int kMaxVoiceBitrate = 40000;
// Largest Opus packet we emit: 60 ms at kMaxVoiceBitrate fits with room to spare.
inline constexpr size_t kMaxEncodedFrameBytes = 400;

// What adapts during a call (from the receiver's loss reports).
struct OpusSettings {
  int bitrate_bps = 24000;
  bool fec = true;
  int expected_loss_percent = 0;  // libopus sizes (and enables) its FEC from this

  bool operator==(const OpusSettings&) const = default;
};

struct OpusEncoderConfig {
  FrameLength frame = kDefaultFrameLength;
  // 0..10. Measured here: 5 costs about a third of 10 and sounds the same for speech.
  int complexity = 5;
  bool dtx = true;
  OpusSettings settings;
};

class OpusVoiceEncoder {
 public:
  // Throws std::runtime_error if libopus cannot create the encoder (out of memory).
  explicit OpusVoiceEncoder(const OpusEncoderConfig& config = {});

  // Encodes one frame: frame_samples() samples at 48 kHz, or speech_band_frame_samples()
  // of the 16 kHz speech band (the voice processor's output), else std::invalid_argument.
  // The speech band goes to a second libopus state created at 16 kHz: SILK wideband at
  // no more than kSpeechBandComplexity, with no resampling on either side (a 48 kHz
  // state would code the empty band above 8 kHz with CELT, after resampling the band
  // up and back down). Returns the packet, valid until the next call, or nullopt when
  // DTX decided the frame is silence not worth sending (the receiver plays comfort
  // noise); libopus still sends a refresh packet every 400 ms of silence.
  // While in DTX, frames no louder than the silence so far are encoded at
  // kSilenceComplexity: they are dropped or become comfort-noise refreshes, and libopus
  // spends as much on a silent frame as on speech. A louder frame (a talker starting)
  // is encoded at the configured complexity again.
  std::optional<ByteView> encode(std::span<const Sample> pcm);

  // Applies new settings to both states; bitrate clamped to [kMinVoiceBitrate,
  // kMaxVoiceBitrate], loss to [0, 100].
  void apply(const OpusSettings& settings);
  const OpusSettings& settings() const { return settings_; }
  size_t frame_samples() const { return koe::frame_samples(frame_); }
  size_t speech_band_frame_samples() const { return frame_samples() * kSpeechBandRate / kSampleRate; }
  // The complexity the last frame was encoded at.
  int complexity() const { return last_complexity_; }

  // A silent frame costs half as much at 1 as at 5; SILK's noise-shaping lookahead is
  // the same at both, so switching moves nothing in time.
  static constexpr int kSilenceComplexity = 1;
  // SILK wideband at 1 costs half as much as at 5 (63 against 127 us a frame here) and
  // still codes the speech band more faithfully than hybrid full band at 5; 0 costs 11%
  // less than 1 (0.58 -> 0.52 M instructions a 20 ms frame) for 0.05-0.2 dB more LSD
  // and the same segmental SNR on espeak sentences (docs/audio-quality.md).
  static constexpr int kSpeechBandComplexity = 0;
  // A frame this much louder than the loudest one of the silence so far (and above
  // kSilenceFloorDbfs) ends the economy before it is encoded.
  static constexpr double kOnsetDb = 6;
  static constexpr double kSilenceFloorDbfs = -70;

 private:
  struct Deleter {
    void operator()(OpusEncoder* encoder) const;
  };
  // One libopus state and what we track of it.
  struct Coder {
    std::unique_ptr<OpusEncoder, Deleter> state;
    int max_complexity = 0;
    int complexity_in_use = -1;
    bool in_dtx = false;        // libopus's state after its last frame
    double silence_power = 0;   // mean square of the loudest frame of this DTX stretch
  };
  Coder make_coder(int rate, int max_complexity, bool dtx) const;
  void apply_to(Coder& coder) const;

  FrameLength frame_;
  Coder full_;         // 48 kHz, bandwidth chosen by libopus
  Coder speech_band_;  // 16 kHz
  int last_complexity_ = -1;
  OpusSettings settings_;
  std::array<uint8_t, kMaxEncodedFrameBytes> packet_{};
};

}  // namespace koe
