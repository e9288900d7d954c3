// The null audio device: silence for a microphone, a speaker that discards,
// paced in real time like a sound card, and one line in status().error saying
// why there is no real device (servers, CI). Owner thread opens it.
#pragma once

#include <memory>
#include <string>

#include "audio/audio_device.hpp"
#include "audio/audio_format.hpp"

namespace koe {

// `why` completes "no audio device: ..."; the device is not started yet.
std::unique_ptr<AudioDevice> open_null_device(const std::string& why,
                                              FrameLength frame = kDefaultFrameLength);

}  // namespace koe
