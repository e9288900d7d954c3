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

OpusVoiceEncoder::OpusVoiceEncoder(const OpusEncoderConfig& config) : frame_(config.frame) {
  const int complexity = std::clamp(config.complexity, 0, 10);
  full_ = make_coder(kSampleRate, complexity, config.dtx);
  speech_band_ = make_coder(kSpeechBandRate, std::min(kSpeechBandComplexity, complexity), config.dtx);
  apply(config.settings);
}

OpusVoiceEncoder::Coder OpusVoiceEncoder::make_coder(int rate, int max_complexity, bool dtx) const {
  int error = OPUS_OK;
  Coder coder;
  coder.state.reset(opus_encoder_create(rate, kChannels, OPUS_APPLICATION_VOIP, &error));
  if (error != OPUS_OK || !coder.state)
    throw std::runtime_error(std::string("opus_encoder_create: ") + opus_strerror(error));
  OpusEncoder* e = coder.state.get();
  opus_encoder_ctl(e, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
  opus_encoder_ctl(e, OPUS_SET_VBR(1));
  // Constrained VBR: the rate follows the speech but never bursts past the budget.
  opus_encoder_ctl(e, OPUS_SET_VBR_CONSTRAINT(1));
  opus_encoder_ctl(e, OPUS_SET_DTX(dtx ? 1 : 0));
  coder.max_complexity = max_complexity;
  return coder;
}

void OpusVoiceEncoder::apply(const OpusSettings& settings) {
  settings_.bitrate_bps = std::clamp(settings.bitrate_bps, kMinVoiceBitrate, kMaxVoiceBitrate);
  settings_.fec = settings.fec;
  settings_.expected_loss_percent = std::clamp(settings.expected_loss_percent, 0, 100);
  apply_to(full_);
  apply_to(speech_band_);
}

void OpusVoiceEncoder::apply_to(Coder& coder) const {
  OpusEncoder* e = coder.state.get();
  opus_encoder_ctl(e, OPUS_SET_BITRATE(settings_.bitrate_bps));
  opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(settings_.fec ? 1 : 0));
  opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(settings_.expected_loss_percent));
}

std::optional<ByteView> OpusVoiceEncoder::encode(std::span<const Sample> pcm) {
  if (pcm.size() != frame_samples() && pcm.size() != speech_band_frame_samples())
    throw std::invalid_argument("OpusVoiceEncoder::encode: wrong frame length");
  Coder& coder = pcm.size() == frame_samples() ? full_ : speech_band_;
  OpusEncoder* e = coder.state.get();
  const double power = mean_square(pcm);
  const bool onset = power > kSilenceFloorPower && power > kOnsetRatio * coder.silence_power;
  const int complexity =
      coder.in_dtx && !onset ? std::min(kSilenceComplexity, coder.max_complexity) : coder.max_complexity;
  if (complexity != coder.complexity_in_use) {
    coder.complexity_in_use = complexity;
    opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(complexity));
  }
  last_complexity_ = complexity;
  const int length = opus_encode(e, pcm.data(), static_cast<int>(pcm.size()), packet_.data(),
                                 static_cast<opus_int32>(packet_.size()));
  int in_dtx = 0;
  opus_encoder_ctl(e, OPUS_GET_IN_DTX(&in_dtx));
  coder.silence_power = !in_dtx ? 0 : coder.in_dtx ? std::max(coder.silence_power, power) : power;
  coder.in_dtx = in_dtx != 0;
  if (length < 0)  // cannot happen with valid arguments; treat as nothing to send
    return std::nullopt;
  // In DTX libopus returns TOC-only packets (1-2 bytes) for frames it would not send.
  if (length <= 2) return std::nullopt;
  return ByteView(packet_.data(), static_cast<size_t>(length));
}

}  // namespace koe
