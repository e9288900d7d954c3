#include "audio/open_audio_device.hpp"

#include <system_error>

#include "audio/device_file.hpp"
#include "audio/device_null.hpp"
#include "audio/device_portaudio.hpp"

namespace koe {

Expected<std::unique_ptr<AudioDevice>, std::string> open_audio_device(
    const AudioDeviceConfig& config) {
  if (!config.input_wav.empty() || !config.output_wav.empty()) {
    ClockedDeviceOptions options;
    options.input_path = config.input_wav;
    options.output_path = config.output_wav;
    options.output_rate = config.output_wav_rate;
    options.frame = config.frame;
    auto device = ClockedWavDevice::open(options);
    if (!device) return Failure{device.error()};
    (*device)->start();
    return std::unique_ptr<AudioDevice>(std::move(*device));
  }
  PortAudioOptions options;
  options.input_device = config.input_device;
  options.output_device = config.output_device;
  std::string why;
  try {
    auto device = std::make_unique<PortAudioDevice>(options);
    if (device->start()) return std::unique_ptr<AudioDevice>(std::move(device));
    why = device->status().error;
  } catch (const std::system_error& e) {  // no shared memory for the audio host
    why = e.what();
  }
  auto null_device = open_null_device(why, config.frame);
  null_device->start();
  return null_device;
}

}  // namespace koe
