// Chooses, opens and starts the node's audio device: the clocked WAV device when
// --audio-in/--audio-out name files, else PortAudio, else (no usable sound card)
// the silent null device with a one-line reason. Owner thread; the caller owns
// the device it gets.
#pragma once

#include <memory>
#include <string>

#include "audio/audio_device.hpp"
#include "audio/audio_format.hpp"
#include "net/expected.hpp"

namespace koe {

struct AudioDeviceConfig {
  std::string input_wav;   // --audio-in: a WAV file as the microphone
  std::string output_wav;  // --audio-out: record the speaker into a WAV file
  int output_wav_rate = kSampleRate;
  std::string input_device;   // PortAudio device selector (name or index); empty: default
  std::string output_device;  // likewise
  FrameLength frame = kDefaultFrameLength;
};

// Fails only when the user asked for WAV files that cannot be used (the error
// names the file and the problem); a missing sound card is not an error.
Expected<std::unique_ptr<AudioDevice>, std::string> open_audio_device(
    const AudioDeviceConfig& config);

}  // namespace koe
