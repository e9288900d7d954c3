#include "audio/device_null.hpp"

#include "audio/device_file.hpp"

namespace koe {

std::unique_ptr<AudioDevice> open_null_device(const std::string& why, FrameLength frame) {
  // A clocked device without files is exactly a paced silent device; opening
  // it touches no file, so it cannot fail.
  ClockedDeviceOptions options;
  options.frame = frame;
  options.note = "no audio device: " + why + "; using silence";
  return ClockedWavDevice::open(options).value();
}

}  // namespace koe
