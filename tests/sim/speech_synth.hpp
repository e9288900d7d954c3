// A deterministic speech-like test signal: voiced syllables (a glottal pulse train with a
// gliding pitch through three formant resonators), unvoiced noise bursts, short pauses
// and longer silences (long enough for DTX), at 48 kHz. For unit tests and the loss lab
// when no recorded speech is given. Pure function; any thread.
#pragma once

#include <cstdint>
#include <vector>

#include "audio/audio_format.hpp"

namespace koe::sim {

std::vector<Sample> synthesize_speech(double seconds, uint64_t seed);

}  // namespace koe::sim
