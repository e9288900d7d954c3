#include "audio/resampler.hpp"

#include <speex/speex_resampler.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace koe {

namespace {

using Uint = spx_uint32_t;

bool valid_rate(int rate) { return rate >= kMinSampleRate && rate <= kMaxSampleRate; }

}  // namespace

void Resampler::StateDeleter::operator()(SpeexResamplerState_* state) const {
  speex_resampler_destroy(state);
}

Resampler::Resampler(int from_rate, int to_rate, int quality, bool remove_delay)
    : remove_delay_(remove_delay) {
  if (!valid_rate(from_rate) || !valid_rate(to_rate))
    throw std::invalid_argument("resampler rate out of range: " + std::to_string(from_rate) +
                                " -> " + std::to_string(to_rate));
  if (from_rate == to_rate) return;
  int err = 0;
  state_.reset(speex_resampler_init(1, static_cast<Uint>(from_rate), static_cast<Uint>(to_rate),
                                    quality, &err));
  if (!state_) throw std::runtime_error(speex_resampler_strerror(err));
  if (remove_delay_) speex_resampler_skip_zeros(state_.get());
}

Resampler::~Resampler() = default;
Resampler::Resampler(Resampler&&) noexcept = default;
Resampler& Resampler::operator=(Resampler&&) noexcept = default;

void Resampler::process(std::span<const Sample> in, std::vector<Sample>& out) {
  if (!state_) {
    out.insert(out.end(), in.begin(), in.end());
    return;
  }
  Uint num = 0;
  Uint den = 0;
  speex_resampler_get_ratio(state_.get(), &num, &den);
  // Room for every output sample the input can yield, plus the filter's slack.
  const size_t room = in.size() * den / num + 64;
  while (!in.empty()) {
    const size_t old_size = out.size();
    out.resize(old_size + room);
    Uint in_len = static_cast<Uint>(in.size());
    Uint out_len = static_cast<Uint>(room);
    speex_resampler_process_int(state_.get(), 0, in.data(), &in_len, out.data() + old_size,
                                &out_len);
    out.resize(old_size + out_len);
    if (in_len == 0 && out_len == 0) break;  // never expected; guards an endless loop
    in = in.subspan(in_len);
  }
}

void Resampler::flush(std::vector<Sample>& out) {
  if (!state_) return;
  // Zeros pushed through the filter carry out the samples it still holds.
  static constexpr std::array<Sample, 256> kZeros{};
  int left = speex_resampler_get_input_latency(state_.get());
  while (left > 0) {
    const size_t n = std::min<size_t>(kZeros.size(), static_cast<size_t>(left));
    process(std::span(kZeros).first(n), out);
    left -= static_cast<int>(n);
  }
}

void Resampler::reset() {
  if (!state_) return;
  speex_resampler_reset_mem(state_.get());
  if (remove_delay_) speex_resampler_skip_zeros(state_.get());
}

int Resampler::delay_samples() const {
  return state_ ? speex_resampler_get_output_latency(state_.get()) : 0;
}

std::vector<Sample> resample(std::span<const Sample> in, int from_rate, int to_rate) {
  Resampler resampler(from_rate, to_rate);
  std::vector<Sample> out;
  out.reserve(in.size() * static_cast<size_t>(to_rate) / static_cast<size_t>(from_rate) + 64);
  resampler.process(in, out);
  resampler.flush(out);
  const auto wanted = static_cast<size_t>(
      (static_cast<uint64_t>(in.size()) * static_cast<uint64_t>(to_rate) +
       static_cast<uint64_t>(from_rate) / 2) / static_cast<uint64_t>(from_rate));
  out.resize(wanted, Sample{0});
  return out;
}

}  // namespace koe
