#include "audio/opus_encoder.hpp"

#include <opus/opus.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace koe {

void OpusVoiceEncoder::Deleter::operator()(OpusEncoder* encoder) const {
  opus_encoder_destroy(encoder);
}

namespace {

double mean_square(std::span<const Sample> pcm) {
  double sum = 0;
  for (const Sample s : pcm) sum += double(s) * double(s);
  return pcm.empty() ? 0 : sum / double(pcm.size());
}

const double kSilenceFloorPower =
    32768.0 * 32768.0 * std::pow(10.0, OpusVoiceEncoder::kSilenceFloorDbfs / 10);
const double kOnsetRatio = std::pow(10.0, OpusVoiceEncoder::kOnsetDb / 10);

}  // namespace

OpusVoiceEncoder::OpusVoiceEncoder(const OpusEncoderConfig& config)
    : frame_(config.frame), complexity_(std::clamp(config.complexity, 0, 10)) {
  int error = OPUS_OK;
  encoder_.reset(opus_encoder_create(kSampleRate, kChannels, OPUS_APPLICATION_VOIP, &error));
  if (error != OPUS_OK || !encoder_)
    throw std::runtime_error(std::string("opus_encoder_create: ") + opus_strerror(error));
  OpusEncoder* e = encoder_.get();
  opus_encoder_ctl(e, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
  opus_encoder_ctl(e, OPUS_SET_VBR(1));
  // Constrained VBR: the rate follows the speech but never bursts past the budget.
  opus_encoder_ctl(e, OPUS_SET_VBR_CONSTRAINT(1));
  use_complexity(complexity_);
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

void OpusVoiceEncoder::set_speech_band(bool speech_band) {
  if (speech_band == speech_band_) return;
  speech_band_ = speech_band;
  opus_encoder_ctl(encoder_.get(),
                   OPUS_SET_MAX_BANDWIDTH(speech_band ? OPUS_BANDWIDTH_WIDEBAND : OPUS_BANDWIDTH_FULLBAND));
}

void OpusVoiceEncoder::use_complexity(int complexity) {
  if (complexity == complexity_in_use_) return;
  complexity_in_use_ = complexity;
  opus_encoder_ctl(encoder_.get(), OPUS_SET_COMPLEXITY(complexity));
}

std::optional<ByteView> OpusVoiceEncoder::encode(std::span<const Sample> pcm) {
  if (pcm.size() != frame_samples())
    throw std::invalid_argument("OpusVoiceEncoder::encode: wrong frame length");
  const double power = mean_square(pcm);
  const bool onset = power > kSilenceFloorPower && power > kOnsetRatio * silence_power_;
  const int complexity = speech_band_ ? std::min(kSpeechBandComplexity, complexity_) : complexity_;
  use_complexity(in_dtx_ && !onset ? std::min(kSilenceComplexity, complexity) : complexity);
  const int length = opus_encode(encoder_.get(), pcm.data(), static_cast<int>(pcm.size()),
                                 packet_.data(), static_cast<opus_int32>(packet_.size()));
  int in_dtx = 0;
  opus_encoder_ctl(encoder_.get(), OPUS_GET_IN_DTX(&in_dtx));
  silence_power_ = !in_dtx ? 0 : in_dtx_ ? std::max(silence_power_, power) : power;
  in_dtx_ = in_dtx != 0;
  if (length < 0)  // cannot happen with valid arguments; treat as nothing to send
    return std::nullopt;
  // In DTX libopus returns TOC-only packets (1-2 bytes) for frames it would not send.
  if (length <= 2) return std::nullopt;
  return ByteView(packet_.data(), static_cast<size_t>(length));
}

}  // namespace koe
