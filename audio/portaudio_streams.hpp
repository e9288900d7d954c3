// PortAudioStreams: the capture and playback callback streams of one device
// choice (48 kHz, 16-bit; mono, or stereo mixed down/duplicated when a device has
// no mono mode), copying between PortAudio's buffers and AudioRings -- nothing
// else. Lives where PortAudio runs (the audio host process, or a test). Owner
// thread only, holding portaudio_mutex(); the callbacks run on PortAudio's threads.
#pragma once

#include <memory>
#include <string>

#include "audio/audio_rings.hpp"
#include "audio/portaudio_library.hpp"
#include "net/expected.hpp"

namespace koe {

class PortAudioStreams {
 public:
  // Chooses the devices (choose_device selectors; a named device that is gone
  // falls back to the default, noted in note()), opens and starts both streams.
  static Expected<std::unique_ptr<PortAudioStreams>, std::string> open(
      const PortAudioLibrary& library, AudioRings& rings, const std::string& input_selector,
      const std::string& output_selector);
  ~PortAudioStreams();  // aborts and closes both streams
  PortAudioStreams(const PortAudioStreams&) = delete;
  PortAudioStreams& operator=(const PortAudioStreams&) = delete;

  const std::string& input_name() const { return input_.device_name; }
  const std::string& output_name() const { return output_.device_name; }
  const std::string& note() const { return note_; }
  // Empty while both streams run; otherwise which stream stopped.
  std::string fault() const;

 private:
  struct Stream {
    void* handle = nullptr;  // PaStream*
    int channels = 1;
    std::string device_name;
  };
  struct Callbacks;  // the PortAudio callbacks (portaudio_streams.cpp)
  friend struct Callbacks;

  explicit PortAudioStreams(AudioRings& rings) : rings_(rings) {}
  std::string open_stream(Stream& stream, bool input, const AudioDeviceInfo& device);

  AudioRings& rings_;
  Stream input_;
  Stream output_;
  std::string note_;
};

}  // namespace koe
