// PortAudio as a process-wide library: the one lock every PortAudio call (other
// than inside stream callbacks) is made under, an RAII initialisation that keeps
// ALSA/JACK probing noise off stderr, and the device list. Any non-real-time
// thread, always holding portaudio_mutex() where a function says so.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "net/expected.hpp"

namespace koe {

struct AudioDeviceInfo {
  int index = -1;  // PortAudio's index: valid until PortAudio is initialised again
  std::string name;
  std::string host_api;  // "ALSA", "JACK Audio Connection Kit", ...
  int max_input_channels = 0;
  int max_output_channels = 0;
  double default_sample_rate = 0;
  bool default_input = false;
  bool default_output = false;
};

enum class Direction { kInput, kOutput };

// PortAudio is not thread-safe: hold this around every Pa_* call.
std::mutex& portaudio_mutex();

// Pa_Initialize for its lifetime (Pa_Terminate after). Caller holds portaudio_mutex().
class PortAudioLibrary {
 public:
  PortAudioLibrary();
  ~PortAudioLibrary();
  PortAudioLibrary(const PortAudioLibrary&) = delete;
  PortAudioLibrary& operator=(const PortAudioLibrary&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  // The devices as of initialisation (PortAudio never refreshes the list: a
  // fresh audio host process is how new and unplugged devices become visible).
  std::vector<AudioDeviceInfo> devices() const;

 private:
  std::string error_;
};

// Initialises PortAudio briefly to list the devices (takes portaudio_mutex()).
Expected<std::vector<AudioDeviceInfo>, std::string> list_audio_devices();

// Chooses a device for `direction` from `selector`: empty or "default" picks
// the default device; all digits pick that index; otherwise an exact name,
// then a case-insensitive substring of the name. Only devices with channels in
// that direction qualify. Pure function; any thread.
std::optional<AudioDeviceInfo> choose_device(const std::vector<AudioDeviceInfo>& devices,
                                             const std::string& selector, Direction direction);

// While alive, file descriptor 2 points at /dev/null: PortAudio's ALSA and JACK
// probing print pages of noise there during initialisation and stream opening.
// Other threads' stderr output is lost for that moment too.
class ScopedStderrSilence {
 public:
  ScopedStderrSilence();
  ~ScopedStderrSilence();
  ScopedStderrSilence(const ScopedStderrSilence&) = delete;
  ScopedStderrSilence& operator=(const ScopedStderrSilence&) = delete;

 private:
  int saved_fd_ = -1;
};

}  // namespace koe
