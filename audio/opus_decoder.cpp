#include "audio/opus_decoder.hpp"

#include <opus/opus.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "audio/opus_packet.hpp"

namespace koe {

namespace {

// libopus decodes (and conceals) in multiples of 2.5 ms.
constexpr size_t kOpusGranule = kSampleRate / 400;

}  // namespace

void OpusVoiceDecoder::Deleter::operator()(OpusDecoder* decoder) const {
  opus_decoder_destroy(decoder);
}

OpusVoiceDecoder::OpusVoiceDecoder() {
  int error = OPUS_OK;
  decoder_.reset(opus_decoder_create(kSampleRate, kChannels, &error));
  if (error != OPUS_OK || !decoder_)
    throw std::runtime_error(std::string("opus_decoder_create: ") + opus_strerror(error));
}

std::optional<PayloadInfo> OpusVoiceDecoder::inspect(ByteView payload) const {
  return inspect_opus_packet(payload);
}

bool OpusVoiceDecoder::decode(ByteView payload, std::span<Sample> out) {
  const auto info = inspect_opus_packet(payload);
  if (!info || out.size() < static_cast<size_t>(info->samples)) return false;
  const int n = opus_decode(decoder_.get(), payload.data(), static_cast<opus_int32>(payload.size()),
                            out.data(), info->samples, 0);
  return n == info->samples;
}

bool OpusVoiceDecoder::decode_fec(ByteView next, std::span<Sample> out) {
  if (!inspect_opus_packet(next) || out.empty() || out.size() % kOpusGranule != 0) return false;
  // frame_size is the lost frame's length: libopus returns that much audio, the FEC
  // copy at its end (any part the copy does not cover is concealed).
  const int n = opus_decode(decoder_.get(), next.data(), static_cast<opus_int32>(next.size()),
                            out.data(), static_cast<int>(out.size()), 1);
  return n == static_cast<int>(out.size());
}

void OpusVoiceDecoder::conceal(std::span<Sample> out) {
  // Whole granules through libopus's PLC (comfort noise after DTX); a ragged tail,
  // which the jitter buffer never asks for, is silence.
  const size_t whole = out.size() - out.size() % kOpusGranule;
  int done = 0;
  if (whole > 0)
    done = std::max(0, opus_decode(decoder_.get(), nullptr, 0, out.data(), static_cast<int>(whole), 0));
  std::fill(out.begin() + done, out.end(), Sample{0});
}

}  // namespace koe
