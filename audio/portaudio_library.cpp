#include "audio/portaudio_library.hpp"

#include <fcntl.h>
#include <portaudio.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <utility>

namespace koe {

std::mutex& portaudio_mutex() {
  static std::mutex mutex;
  return mutex;
}

ScopedStderrSilence::ScopedStderrSilence() {
  std::fflush(stderr);
  const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null_fd < 0) return;
  saved_fd_ = ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0);
  if (saved_fd_ >= 0) ::dup2(null_fd, STDERR_FILENO);
  ::close(null_fd);
}

ScopedStderrSilence::~ScopedStderrSilence() {
  if (saved_fd_ < 0) return;
  std::fflush(stderr);
  ::dup2(saved_fd_, STDERR_FILENO);
  ::close(saved_fd_);
}

PortAudioLibrary::PortAudioLibrary() {
  ScopedStderrSilence quiet;
  const PaError err = Pa_Initialize();
  if (err != paNoError) error_ = std::string("PortAudio initialisation failed: ") + Pa_GetErrorText(err);
}

PortAudioLibrary::~PortAudioLibrary() {
  if (ok()) Pa_Terminate();
}

std::vector<AudioDeviceInfo> PortAudioLibrary::devices() const {
  std::vector<AudioDeviceInfo> out;
  if (!ok()) return out;
  const PaDeviceIndex count = Pa_GetDeviceCount();
  const PaDeviceIndex default_in = Pa_GetDefaultInputDevice();
  const PaDeviceIndex default_out = Pa_GetDefaultOutputDevice();
  for (PaDeviceIndex i = 0; i < count; ++i) {
    const PaDeviceInfo* info = Pa_GetDeviceInfo(i);
    if (!info) continue;
    const PaHostApiInfo* api = Pa_GetHostApiInfo(info->hostApi);
    AudioDeviceInfo d;
    d.index = i;
    d.name = info->name ? info->name : "";
    d.host_api = api && api->name ? api->name : "";
    d.max_input_channels = info->maxInputChannels;
    d.max_output_channels = info->maxOutputChannels;
    d.default_sample_rate = info->defaultSampleRate;
    d.default_input = i == default_in;
    d.default_output = i == default_out;
    out.push_back(std::move(d));
  }
  return out;
}

Expected<std::vector<AudioDeviceInfo>, std::string> list_audio_devices() {
  std::lock_guard lock(portaudio_mutex());
  PortAudioLibrary library;
  if (!library.ok()) return Failure{library.error()};
  return library.devices();
}

namespace {

bool has_channels(const AudioDeviceInfo& d, Direction direction) {
  return (direction == Direction::kInput ? d.max_input_channels : d.max_output_channels) > 0;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool all_digits(const std::string& s) {
  return !s.empty() && s.size() <= 6 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

}  // namespace

std::optional<AudioDeviceInfo> choose_device(const std::vector<AudioDeviceInfo>& devices,
                                             const std::string& selector, Direction direction) {
  auto first = [&](auto&& pred) -> std::optional<AudioDeviceInfo> {
    for (const auto& d : devices)
      if (has_channels(d, direction) && pred(d)) return d;
    return std::nullopt;
  };
  if (selector.empty() || selector == "default")
    return first([&](const AudioDeviceInfo& d) {
      return direction == Direction::kInput ? d.default_input : d.default_output;
    });
  if (all_digits(selector)) {
    const int index = std::stoi(selector);
    return first([&](const AudioDeviceInfo& d) { return d.index == index; });
  }
  if (auto exact = first([&](const AudioDeviceInfo& d) { return d.name == selector; })) return exact;
  const std::string needle = lower(selector);
  return first([&](const AudioDeviceInfo& d) {
    return lower(d.name).find(needle) != std::string::npos;
  });
}

}  // namespace koe
