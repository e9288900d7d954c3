#include "audio/portaudio_streams.hpp"

#include <portaudio.h>

#include <algorithm>
#include <array>

#include "audio/realtime_scope.hpp"

namespace koe {

namespace {

// Stereo buffers are converted in pieces of this many frames, on the stack.
constexpr size_t kPieceFrames = 256;

const char* direction_name(bool input) { return input ? "capture" : "playback"; }

}  // namespace

// Real-time code: ring copies, sample conversion on the stack and relaxed
// atomic counters. No locks, allocation, logging or system calls.
struct PortAudioStreams::Callbacks {
  static int capture(const void* input, void*, unsigned long frames,
                     const PaStreamCallbackTimeInfo*, PaStreamCallbackFlags flags, void* user) {
    RealtimeScope realtime;
    auto* self = static_cast<PortAudioStreams*>(user);
    AudioRings& rings = self->rings_;
    const auto* in = static_cast<const Sample*>(input);
    if (flags & paInputOverflow) rings.overruns.fetch_add(1, std::memory_order_relaxed);
    if (in && self->input_.channels == 1) {
      rings.push_capture({in, frames});
    } else if (in) {
      std::array<Sample, kPieceFrames> mono;
      for (unsigned long done = 0; done < frames;) {
        const size_t n = std::min<size_t>(kPieceFrames, frames - done);
        for (size_t i = 0; i < n; ++i) {
          const Sample* frame = in + 2 * (done + i);
          mono[i] = static_cast<Sample>((frame[0] + frame[1]) / 2);
        }
        rings.push_capture({mono.data(), n});
        done += n;
      }
    }
    rings.capture_callbacks.fetch_add(1, std::memory_order_relaxed);
    return paContinue;
  }

  static int playback(const void*, void* output, unsigned long frames,
                      const PaStreamCallbackTimeInfo*, PaStreamCallbackFlags flags, void* user) {
    RealtimeScope realtime;
    auto* self = static_cast<PortAudioStreams*>(user);
    AudioRings& rings = self->rings_;
    auto* out = static_cast<Sample*>(output);
    if (flags & paOutputUnderflow) rings.underruns.fetch_add(1, std::memory_order_relaxed);
    if (self->output_.channels == 1) {
      rings.pull_playback({out, frames});
    } else {
      std::array<Sample, kPieceFrames> mono;
      for (unsigned long done = 0; done < frames;) {
        const size_t n = std::min<size_t>(kPieceFrames, frames - done);
        rings.pull_playback({mono.data(), n});
        for (size_t i = 0; i < n; ++i) out[2 * (done + i)] = out[2 * (done + i) + 1] = mono[i];
        done += n;
      }
    }
    rings.playback_callbacks.fetch_add(1, std::memory_order_relaxed);
    return paContinue;
  }
};

Expected<std::unique_ptr<PortAudioStreams>, std::string> PortAudioStreams::open(
    const PortAudioLibrary& library, AudioRings& rings, const std::string& input_selector,
    const std::string& output_selector) {
  if (!library.ok()) return Failure{library.error()};
  const auto devices = library.devices();
  if (devices.empty()) return Failure{std::string("PortAudio found no audio devices")};
  std::unique_ptr<PortAudioStreams> streams(new PortAudioStreams(rings));
  auto pick = [&](const std::string& selector, Direction direction) {
    auto chosen = choose_device(devices, selector, direction);
    if (!chosen && !selector.empty() && selector != "default") {
      std::string& note = streams->note_;
      note += std::string(note.empty() ? "" : "; ") + direction_name(direction == Direction::kInput) +
              " device '" + selector + "' not found, using the default";
      chosen = choose_device(devices, "", direction);
    }
    return chosen;
  };
  const auto in = pick(input_selector, Direction::kInput);
  const auto out = pick(output_selector, Direction::kOutput);
  if (!in) return Failure{std::string("no audio input device")};
  if (!out) return Failure{std::string("no audio output device")};
  std::string error = streams->open_stream(streams->input_, true, *in);
  if (error.empty()) error = streams->open_stream(streams->output_, false, *out);
  if (!error.empty()) return Failure{error};
  for (const Stream* s : {&streams->input_, &streams->output_}) {
    const PaError err = Pa_StartStream(s->handle);
    if (err != paNoError)
      return Failure{"cannot start the stream on '" + s->device_name + "': " + Pa_GetErrorText(err)};
  }
  return streams;
}

std::string PortAudioStreams::open_stream(Stream& stream, bool input, const AudioDeviceInfo& device) {
  const PaDeviceInfo* info = Pa_GetDeviceInfo(device.index);
  if (!info) return "device '" + device.name + "' is gone";
  const int max_channels = input ? device.max_input_channels : device.max_output_channels;
  PaError err = paInvalidChannelCount;
  // Mono first; a device without a mono mode gets stereo, converted in the callback.
  for (int channels = 1; channels <= std::min(2, max_channels); ++channels) {
    PaStreamParameters params{};
    params.device = device.index;
    params.channelCount = channels;
    params.sampleFormat = paInt16;
    params.suggestedLatency = input ? info->defaultLowInputLatency : info->defaultLowOutputLatency;
    stream.channels = channels;  // read by the callback, which cannot run before the start
    ScopedStderrSilence quiet;
    err = Pa_OpenStream(&stream.handle, input ? &params : nullptr, input ? nullptr : &params,
                        kSampleRate, paFramesPerBufferUnspecified, paNoFlag,
                        input ? &Callbacks::capture : &Callbacks::playback, this);
    if (err == paNoError) {
      stream.device_name = device.name;
      return "";
    }
    stream.handle = nullptr;
  }
  return std::string("cannot open '") + device.name + "' for " + direction_name(input) +
         " at 48 kHz: " + Pa_GetErrorText(err);
}

PortAudioStreams::~PortAudioStreams() {
  for (Stream* s : {&input_, &output_}) {
    if (!s->handle) continue;
    Pa_AbortStream(s->handle);
    Pa_CloseStream(s->handle);
  }
}

std::string PortAudioStreams::fault() const {
  for (const Stream* s : {&input_, &output_})
    if (Pa_IsStreamActive(s->handle) != 1)
      return std::string("the ") + direction_name(s == &input_) + " stream on '" + s->device_name +
             "' stopped";
  return "";
}

}  // namespace koe
