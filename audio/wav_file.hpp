// WAV files (RIFF, 16-bit PCM): a validating parser for hostile bytes, a loader
// that returns 48 kHz mono, and WavWriter, whose header is correct after every
// block so a killed process still leaves a valid file. Free functions: any
// thread; a WavWriter belongs to one thread and owns its file descriptor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "audio/audio_format.hpp"
#include "net/bytes.hpp"
#include "net/expected.hpp"

namespace koe {

// Larger files are refused before reading (about 23 minutes of 48 kHz stereo).
inline constexpr size_t kMaxWavFileBytes = size_t{256} << 20;
inline constexpr size_t kWavHeaderBytes = 44;

struct WavAudio {
  int sample_rate = 0;
  std::vector<Sample> samples;  // mono (stereo input is downmixed)
};

// Parses a whole WAV file image. Accepts PCM (or WAVE_FORMAT_EXTENSIBLE PCM),
// 16-bit, mono or stereo, kMinSampleRate..kMaxSampleRate; anything else, or
// chunks that overrun the file, gives an error that names the problem.
Expected<WavAudio, std::string> parse_wav(ByteView bytes);

// A canonical 44-byte-header mono WAV image of `samples` at `sample_rate`.
Bytes encode_wav(std::span<const Sample> samples, int sample_rate);

// Reads `path`, parses it and converts it to 48 kHz mono. Errors start with the path.
Expected<std::vector<Sample>, std::string> load_wav_48k(const std::string& path);

// Writes a mono 16-bit WAV file block by block. After every append() the RIFF and
// data sizes in the header match the samples written (the data reaches the
// kernel at once, so even SIGKILL leaves a valid file).
class WavWriter {
 public:
  // Creates (or truncates) `path`.
  static Expected<WavWriter, std::string> create(const std::string& path, int sample_rate);

  WavWriter(WavWriter&& other) noexcept;
  WavWriter& operator=(WavWriter&& other) noexcept;
  ~WavWriter();  // closes

  // False (and error() says why) on an I/O failure or once the 4 GiB WAV size
  // limit is reached; later appends are ignored.
  bool append(std::span<const Sample> samples);
  // Drops everything written so far: the file holds an empty recording again.
  bool truncate();

  uint64_t samples_written() const { return data_bytes_ / sizeof(Sample); }
  int sample_rate() const { return sample_rate_; }
  const std::string& error() const { return error_; }

 private:
  WavWriter(int fd, std::string path, int sample_rate);
  bool write_header();
  bool fail(const std::string& what);
  void close_file();

  int fd_ = -1;
  std::string path_;
  int sample_rate_ = 0;
  uint32_t data_bytes_ = 0;
  std::string error_;
};

}  // namespace koe
