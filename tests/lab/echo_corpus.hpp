// The synthetic echo corpus: espeak-ng talkers, room impulse responses (exponentially
// decaying noise behind a direct path), echo delays, near-end noise and double talk,
// built deterministically from a seed. Functions; one thread per call. Each EchoCase
// owns its signals; the SpeechBank owns the synthesized sentences.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "audio/audio_format.hpp"

namespace koe::lab {

// Every case follows the same timeline (seconds): the far end talks alone, nobody
// talks (noise only), both talk at once, then the far end talks alone again.
struct Timeline {
  static constexpr double kFarOnlyEnd = 14;
  static constexpr double kQuietEnd = 16;
  static constexpr double kDoubleTalkEnd = 26;
  static constexpr double kTotal = 32;
  static constexpr double kConvergence = 2;  // ignored at the start when scoring
};

struct EchoCaseSpec {
  int delay_ms = 100;
  double rt60_s = 0.4;
  double snr_db = 20;  // near-end speech over near-end noise; infinity = no noise
  uint64_t seed = 1;
  std::string name() const;
};

// The grid of the brief, delays 40/100/150/250 ms x RT60 0.2/0.4/0.6 s x noise
// none/20/10/0 dB SNR, plus a 400 ms delay (a Bluetooth headset's). `quick` keeps
// one RT60 and two noise levels.
std::vector<EchoCaseSpec> corpus_grid(bool quick, uint64_t seed);

struct EchoCase {
  EchoCaseSpec spec;
  std::vector<Sample> far;      // what the speaker plays (the canceller's reference)
  std::vector<Sample> echo;     // far through the room, as the microphone hears it
  std::vector<Sample> near;     // the near-end talker alone
  std::vector<Sample> noise;    // the near-end room noise alone
  std::vector<Sample> capture;  // echo + near + noise: the canceller's input
};

// Sentences spoken by espeak-ng, cached as WAV files in `dir`; throws with a clear
// message if espeak-ng is missing or fails.
class SpeechBank {
 public:
  explicit SpeechBank(std::filesystem::path dir);
  // Sentence `index` (any number; wraps) in `voice`, 48 kHz.
  const std::vector<Sample>& sentence(const std::string& voice, size_t index);

 private:
  std::filesystem::path dir_;
  std::vector<std::pair<std::string, std::vector<Sample>>> cache_;
};

EchoCase build_case(const EchoCaseSpec& spec, SpeechBank& bank);

}  // namespace koe::lab
