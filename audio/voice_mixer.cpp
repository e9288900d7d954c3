#include "audio/voice_mixer.hpp"

#include <algorithm>
#include <stdexcept>

#include "audio/sample_rounding.hpp"

namespace koe {

namespace {

void check_length(size_t got, size_t want) {
  if (got != want) throw std::invalid_argument("voice mixer: frame length mismatch");
}

}  // namespace

void VoiceMixer::clear() { std::fill(sum_.begin(), sum_.end(), 0.0f); }

void VoiceMixer::add(std::span<const Sample> voice, float gain) {
  check_length(voice.size(), sum_.size());
  for (size_t i = 0; i < sum_.size(); ++i) sum_[i] += static_cast<float>(voice[i]) * gain;
}

void VoiceMixer::finish(float master_gain, std::span<Sample> out) const {
  check_length(out.size(), sum_.size());
  for (size_t i = 0; i < sum_.size(); ++i) out[i] = round_to_sample(sum_[i] * master_gain);
}

}  // namespace koe
