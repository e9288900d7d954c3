// VoiceDecoder: the codec seam of the jitter buffer (decode, FEC recovery, concealment),
// implemented by OpusVoiceDecoder and by scripted fakes in tests.
// One thread (the audio worker) uses an instance; the jitter buffer owns it.
#pragma once

#include <optional>
#include <span>

#include "audio/audio_format.hpp"
#include "net/bytes.hpp"

namespace koe {

// The longest frame a VoiceDecoder may report (60 ms); longer payloads are refused.
inline constexpr int kMaxFrameSamples = kSampleRate * 60 / 1000;

// What a payload holds, read from its bytes without decoding it.
struct PayloadInfo {
  int samples = 0;           // 48 kHz samples it decodes to
  bool voice_active = true;  // the encoder's voice-activity flag (false: silence, DTX ahead)
  bool carries_fec = false;  // in-band FEC for the frame before it
};

class VoiceDecoder {
 public:
  virtual ~VoiceDecoder() = default;

  // nullopt when `payload` is malformed (the jitter buffer then drops it).
  virtual std::optional<PayloadInfo> inspect(ByteView payload) const = 0;
  // Decodes `payload` into the first inspect().samples samples of `out`. False when the
  // codec rejects it; `out` is then untouched and the caller conceals instead.
  virtual bool decode(ByteView payload, std::span<Sample> out) = 0;
  // Rebuilds the frame *before* `next` from the FEC data `next` carries; `out` is the
  // lost frame's length. False when that fails.
  virtual bool decode_fec(ByteView next, std::span<Sample> out) = 0;
  // Fills `out` with concealment (packet-loss concealment, or comfort noise after
  // the sender went silent).
  virtual void conceal(std::span<Sample> out) = 0;
};

}  // namespace koe
