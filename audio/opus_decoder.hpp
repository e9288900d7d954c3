// OpusVoiceDecoder: libopus decoding behind the VoiceDecoder seam, with real FEC recovery
// (the *next* packet decoded with decode_fec=1, not concealment called with fec=1).
// One thread (the audio worker) uses an instance; it owns the libopus state.
#pragma once

#include <memory>

#include "audio/voice_decoder.hpp"

struct OpusDecoder;

namespace koe {

class OpusVoiceDecoder final : public VoiceDecoder {
 public:
  // Throws std::runtime_error if libopus cannot create the decoder (out of memory).
  OpusVoiceDecoder();

  std::optional<PayloadInfo> inspect(ByteView payload) const override;
  bool decode(ByteView payload, std::span<Sample> out) override;
  bool decode_fec(ByteView next, std::span<Sample> out) override;
  void conceal(std::span<Sample> out) override;

 private:
  struct Deleter {
    void operator()(OpusDecoder* decoder) const;
  };
  std::unique_ptr<OpusDecoder, Deleter> decoder_;
};

}  // namespace koe
