// Audio state the UI can show: smoothed input/output level meters, microphone
// and speaker mute and gain, and per-peer playback volume. The audio worker
// thread feeds the meters and applies the gains; any thread reads everything
// and sets controls (atomics, and a mutex for the per-peer table).
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <span>
#include <string>

#include "audio/audio_format.hpp"
#include "net/clock.hpp"

namespace koe {

// Meters never read lower than this (one 16-bit step is about -90 dBFS).
inline constexpr float kSilenceDbfs = -96.0f;

struct LevelReading {
  float rms_dbfs = kSilenceDbfs;   // a full-scale sine reads about -3 dBFS
  float peak_dbfs = kSilenceDbfs;  // 0 dBFS is the largest 16-bit sample
};

// A level meter with attack/release smoothing: the shown level rises with the
// attack time constant and falls with the (slower) release one, so it neither
// flickers nor hides a sudden shout.
class LevelMeter {
 public:
  explicit LevelMeter(Duration attack = std::chrono::milliseconds(10),
                      Duration release = std::chrono::milliseconds(300));

  // Worker thread: one block of samples as it passes (any length).
  void process(std::span<const Sample> block);
  // Any thread.
  LevelReading reading() const;

 private:
  const double attack_s_;
  const double release_s_;
  double rms_ = 0;   // smoothed, linear, full scale = 1 (worker thread)
  double peak_ = 0;  // likewise
  std::atomic<float> rms_dbfs_{kSilenceDbfs};
  std::atomic<float> peak_dbfs_{kSilenceDbfs};
};

// A gain in dB, clamped to a sane range, and a mute switch. Any thread.
class GainControl {
 public:
  static constexpr float kMinGainDb = -40.0f;
  static constexpr float kMaxGainDb = 12.0f;

  void set_gain_db(float db);  // clamped; NaN leaves the gain unchanged
  float gain_db() const { return gain_db_.load(std::memory_order_relaxed); }
  void set_muted(bool muted) { muted_.store(muted, std::memory_order_relaxed); }
  bool muted() const { return muted_.load(std::memory_order_relaxed); }
  // The factor to multiply samples by: 0 when muted.
  float linear() const;

 private:
  std::atomic<float> gain_db_{0.0f};
  std::atomic<bool> muted_{false};
};

// Multiplies samples by `factor`, saturating at the 16-bit limits.
void apply_gain(std::span<Sample> samples, float factor);

// Playback gain per peer (keyed by the peer's user ID), 0 dB unless set.
class PeerVolumes {
 public:
  void set_gain_db(const std::string& peer, float db);  // clamped as GainControl
  float gain_db(const std::string& peer) const;
  float linear(const std::string& peer) const;
  void forget(const std::string& peer);
  std::map<std::string, float> all() const;  // for the UI

 private:
  mutable std::mutex mutex_;
  std::map<std::string, float> gains_db_;
};

// What the UI draws for the local audio, taken from AudioLevels::view().
struct AudioLevelsView {
  LevelReading input;
  LevelReading output;
  bool microphone_muted = false;
  bool speaker_muted = false;
  float microphone_gain_db = 0;
  float speaker_gain_db = 0;
  std::map<std::string, float> peer_gains_db;
};

// All of the above for one node: the worker feeds `input`/`output` and applies
// `microphone`/`speaker`/`peers`; commands set the controls.
struct AudioLevels {
  LevelMeter input;
  LevelMeter output;
  GainControl microphone;
  GainControl speaker;
  PeerVolumes peers;

  AudioLevelsView view() const;
};

}  // namespace koe
