#include "audio/levels.hpp"

#include <algorithm>
#include <cmath>

#include "audio/sample_rounding.hpp"

namespace koe {

namespace {

constexpr double kFullScale = 32768.0;

float to_dbfs(double linear) {
  if (linear <= 0) return kSilenceDbfs;
  return std::max(kSilenceDbfs, static_cast<float>(20.0 * std::log10(linear)));
}

float clamp_gain_db(float db) {
  return std::clamp(db, GainControl::kMinGainDb, GainControl::kMaxGainDb);
}

float db_to_linear(float db) { return std::pow(10.0f, db / 20.0f); }

// One-pole smoothing over a block lasting `seconds`, with the time constant
// chosen by direction.
double smooth(double shown, double target, double seconds, double attack_s, double release_s) {
  const double tau = target > shown ? attack_s : release_s;
  const double keep = tau > 0 ? std::exp(-seconds / tau) : 0.0;
  return keep * shown + (1.0 - keep) * target;
}

}  // namespace

LevelMeter::LevelMeter(Duration attack, Duration release)
    : attack_s_(std::chrono::duration<double>(attack).count()),
      release_s_(std::chrono::duration<double>(release).count()) {}

void LevelMeter::process(std::span<const Sample> block) {
  if (block.empty()) return;
  double sum_squares = 0;
  int peak = 0;
  for (const Sample s : block) {
    const auto v = static_cast<double>(s);
    sum_squares += v * v;
    peak = std::max(peak, std::abs(int{s}));
  }
  const double seconds = static_cast<double>(block.size()) / kSampleRate;
  const double rms = std::sqrt(sum_squares / static_cast<double>(block.size())) / kFullScale;
  rms_ = smooth(rms_, rms, seconds, attack_s_, release_s_);
  peak_ = smooth(peak_, peak / kFullScale, seconds, attack_s_, release_s_);
  rms_dbfs_.store(to_dbfs(rms_), std::memory_order_relaxed);
  peak_dbfs_.store(to_dbfs(peak_), std::memory_order_relaxed);
}

LevelReading LevelMeter::reading() const {
  return {rms_dbfs_.load(std::memory_order_relaxed), peak_dbfs_.load(std::memory_order_relaxed)};
}

void GainControl::set_gain_db(float db) {
  if (std::isnan(db)) return;
  gain_db_.store(clamp_gain_db(db), std::memory_order_relaxed);
}

float GainControl::linear() const { return muted() ? 0.0f : db_to_linear(gain_db()); }

void apply_gain(std::span<Sample> samples, float factor) {
  for (Sample& s : samples) s = round_to_sample(static_cast<float>(s) * factor);
}

void PeerVolumes::set_gain_db(const std::string& peer, float db) {
  if (std::isnan(db)) return;
  std::lock_guard lock(mutex_);
  gains_db_[peer] = clamp_gain_db(db);
}

float PeerVolumes::gain_db(const std::string& peer) const {
  std::lock_guard lock(mutex_);
  const auto it = gains_db_.find(peer);
  return it == gains_db_.end() ? 0.0f : it->second;
}

float PeerVolumes::linear(const std::string& peer) const { return db_to_linear(gain_db(peer)); }

void PeerVolumes::forget(const std::string& peer) {
  std::lock_guard lock(mutex_);
  gains_db_.erase(peer);
}

std::map<std::string, float> PeerVolumes::all() const {
  std::lock_guard lock(mutex_);
  return gains_db_;
}

AudioLevelsView AudioLevels::view() const {
  AudioLevelsView v;
  v.input = input.reading();
  v.output = output.reading();
  v.microphone_muted = microphone.muted();
  v.speaker_muted = speaker.muted();
  v.microphone_gain_db = microphone.gain_db();
  v.speaker_gain_db = speaker.gain_db();
  v.peer_gains_db = peers.all();
  return v;
}

}  // namespace koe
