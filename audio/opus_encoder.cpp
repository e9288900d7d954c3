#include "audio/opus_encoder.hpp"

#include <opus/opus.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace koe {

void OpusVoiceEncoder::Deleter::operator()(OpusEncoder* encoder) const {
  opus_encoder_destroy(encoder);
}

OpusVoiceEncoder::OpusVoiceEncoder(const OpusEncoderConfig& config) : frame_(config.frame) {
  int error = OPUS_OK;
  encoder_.reset(opus_encoder_create(kSampleRate, kChannels, OPUS_APPLICATION_VOIP, &error));
  if (error != OPUS_OK || !encoder_)
    throw std::runtime_error(std::string("opus_encoder_create: ") + opus_strerror(error));
  OpusEncoder* e = encoder_.get();
  opus_encoder_ctl(e, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
  opus_encoder_ctl(e, OPUS_SET_VBR(1));
  // Constrained VBR: the rate follows the speech but never bursts past the budget.
  opus_encoder_ctl(e, OPUS_SET_VBR_CONSTRAINT(1));
  opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(std::clamp(config.complexity, 0, 10)));
  opus_encoder_ctl(e, OPUS_SET_DTX(config.dtx ? 1 : 0));
  apply(config.settings);
}

void OpusVoiceEncoder::apply(const OpusSettings& settings) {
  settings_.bitrate_bps = std::clamp(settings.bitrate_bps, kMinVoiceBitrate, kMaxVoiceBitrate);
  settings_.fec = settings.fec;
  settings_.expected_loss_percent = std::clamp(settings.expected_loss_percent, 0, 100);
  OpusEncoder* e = encoder_.get();
  opus_encoder_ctl(e, OPUS_SET_BITRATE(settings_.bitrate_bps));
  opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(settings_.fec ? 1 : 0));
  opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(settings_.expected_loss_percent));
}

std::optional<ByteView> OpusVoiceEncoder::encode(std::span<const Sample> pcm) {
  if (pcm.size() != frame_samples())
    throw std::invalid_argument("OpusVoiceEncoder::encode: wrong frame length");
  const int length = opus_encode(encoder_.get(), pcm.data(), static_cast<int>(pcm.size()),
                                 packet_.data(), static_cast<opus_int32>(packet_.size()));
  if (length < 0)  // cannot happen with valid arguments; treat as nothing to send
    return std::nullopt;
  // In DTX libopus returns TOC-only packets (1-2 bytes) for frames it would not send.
  if (length <= 2) return std::nullopt;
  return ByteView(packet_.data(), static_cast<size_t>(length));
}

}  // namespace koe
