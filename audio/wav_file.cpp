#include "audio/wav_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string_view>
#include <utility>

#include "audio/resampler.hpp"

namespace koe {

namespace {

constexpr uint16_t kFormatPcm = 0x0001;
constexpr uint16_t kFormatFloat = 0x0003;
constexpr uint16_t kFormatExtensible = 0xFFFE;
constexpr size_t kChunkHeaderBytes = 8;
constexpr size_t kFmtBytes = 16;
constexpr size_t kExtensibleFmtBytes = 40;
// KSDATAFORMAT_SUBTYPE_PCM after its leading format tag (0x0001).
constexpr std::array<uint8_t, 14> kPcmGuidTail = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                                                  0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};

uint16_t le16(ByteView b, size_t at) {
  return static_cast<uint16_t>(b[at] | (b[at + 1] << 8));
}
uint32_t le32(ByteView b, size_t at) {
  return static_cast<uint32_t>(b[at]) | (static_cast<uint32_t>(b[at + 1]) << 8) |
         (static_cast<uint32_t>(b[at + 2]) << 16) | (static_cast<uint32_t>(b[at + 3]) << 24);
}
void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
void put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

bool has_id(ByteView b, size_t at, std::string_view id) {
  return std::memcmp(b.data() + at, id.data(), 4) == 0;
}

// A chunk id for error messages: printable ASCII kept, anything else as '?'.
std::string printable_id(ByteView b, size_t at) {
  std::string id;
  for (size_t i = 0; i < 4; ++i) id += (b[at + i] >= 0x20 && b[at + i] < 0x7F) ? char(b[at + i]) : '?';
  return "'" + id + "'";
}

struct Fmt {
  int channels = 0;
  int sample_rate = 0;
};

Expected<Fmt, std::string> parse_fmt(ByteView body) {
  if (body.size() < kFmtBytes)
    return Failure{"fmt chunk is " + std::to_string(body.size()) + " bytes; at least 16 needed"};
  const uint16_t tag = le16(body, 0);
  const uint16_t channels = le16(body, 2);
  const uint32_t rate = le32(body, 4);
  const uint32_t byte_rate = le32(body, 8);
  const uint16_t block_align = le16(body, 12);
  const uint16_t bits = le16(body, 14);

  if (tag == kFormatExtensible) {
    if (body.size() < kExtensibleFmtBytes)
      return Failure{std::string("WAVE_FORMAT_EXTENSIBLE fmt chunk is too short")};
    if (le16(body, 24) != kFormatPcm ||
        std::memcmp(body.data() + 26, kPcmGuidTail.data(), kPcmGuidTail.size()) != 0)
      return Failure{std::string("WAVE_FORMAT_EXTENSIBLE with a non-PCM subformat; only 16-bit PCM is supported")};
  } else if (tag == kFormatFloat) {
    return Failure{std::string("floating-point samples; only 16-bit PCM is supported")};
  } else if (tag != kFormatPcm) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%04X", tag);
    return Failure{std::string("compressed or unknown format (tag ") + hex +
                   "); only 16-bit PCM is supported"};
  }
  if (bits != 16)
    return Failure{std::to_string(bits) + "-bit samples; only 16-bit PCM is supported"};
  if (channels < 1 || channels > 2)
    return Failure{std::to_string(channels) + " channels; only mono and stereo are supported"};
  if (rate < kMinSampleRate || rate > kMaxSampleRate)
    return Failure{"sample rate " + std::to_string(rate) + " Hz is outside " +
                   std::to_string(kMinSampleRate) + ".." + std::to_string(kMaxSampleRate)};
  if (block_align != channels * sizeof(Sample))
    return Failure{"block align " + std::to_string(block_align) + " does not match " +
                   std::to_string(channels) + " channels of 16 bits"};
  if (byte_rate != rate * block_align)
    return Failure{"byte rate " + std::to_string(byte_rate) + " does not match the sample rate"};
  return Fmt{channels, static_cast<int>(rate)};
}

// Little-endian interleaved frames to mono samples (stereo averaged).
std::vector<Sample> decode_mono(ByteView data, int channels) {
  const size_t frame_bytes = static_cast<size_t>(channels) * sizeof(Sample);
  std::vector<Sample> out(data.size() / frame_bytes);
  for (size_t i = 0; i < out.size(); ++i) {
    const size_t at = i * frame_bytes;
    const auto left = static_cast<int16_t>(le16(data, at));
    if (channels == 1) {
      out[i] = left;
    } else {
      const auto right = static_cast<int16_t>(le16(data, at + 2));
      out[i] = static_cast<Sample>((left + right) / 2);
    }
  }
  return out;
}

std::array<uint8_t, kWavHeaderBytes> mono_header(int sample_rate, uint32_t data_bytes) {
  std::array<uint8_t, kWavHeaderBytes> h{};
  const auto rate = static_cast<uint32_t>(sample_rate);
  std::memcpy(h.data(), "RIFF", 4);
  put32(&h[4], static_cast<uint32_t>(kWavHeaderBytes - 8) + data_bytes);
  std::memcpy(&h[8], "WAVEfmt ", 8);
  put32(&h[16], kFmtBytes);
  put16(&h[20], kFormatPcm);
  put16(&h[22], 1);
  put32(&h[24], rate);
  put32(&h[28], rate * sizeof(Sample));
  put16(&h[32], sizeof(Sample));
  put16(&h[34], 16);
  std::memcpy(&h[36], "data", 4);
  put32(&h[40], data_bytes);
  return h;
}

// Samples as little-endian bytes, in fixed-size pieces so no buffer is allocated.
template <typename Sink>
bool for_each_le_piece(std::span<const Sample> samples, Sink&& sink) {
  std::array<uint8_t, 4096> piece;
  while (!samples.empty()) {
    const size_t n = std::min(samples.size(), piece.size() / sizeof(Sample));
    for (size_t i = 0; i < n; ++i) put16(&piece[2 * i], static_cast<uint16_t>(samples[i]));
    if (!sink(ByteView(piece.data(), n * sizeof(Sample)))) return false;
    samples = samples.subspan(n);
  }
  return true;
}

std::string errno_text() { return std::strerror(errno); }

// pwrite() until every byte is written; false with errno set otherwise.
bool pwrite_all(int fd, ByteView bytes, off_t at) {
  while (!bytes.empty()) {
    const ssize_t n = ::pwrite(fd, bytes.data(), bytes.size(), at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    bytes = bytes.subspan(static_cast<size_t>(n));
    at += n;
  }
  return true;
}

}  // namespace

Expected<WavAudio, std::string> parse_wav(ByteView bytes) {
  if (bytes.size() < 12)
    return Failure{"not a WAV file: " + std::to_string(bytes.size()) + " bytes is too short"};
  if (!has_id(bytes, 0, "RIFF"))
    return Failure{std::string("not a WAV file: no RIFF header (RIFX and RF64 are not supported)")};
  if (!has_id(bytes, 8, "WAVE")) return Failure{std::string("RIFF file is not WAVE audio")};
  const uint32_t riff_size = le32(bytes, 4);
  if (riff_size < 4 || riff_size > bytes.size() - 8)
    return Failure{"RIFF size " + std::to_string(riff_size) + " does not fit the file (" +
                   std::to_string(bytes.size()) + " bytes)"};
  const size_t end = 8 + size_t{riff_size};

  std::optional<Fmt> fmt;
  std::optional<ByteView> data;
  size_t pos = 12;
  while (end - pos >= kChunkHeaderBytes) {
    const size_t id_at = pos;
    const uint32_t size = le32(bytes, pos + 4);
    pos += kChunkHeaderBytes;
    if (size > end - pos)
      return Failure{"chunk " + printable_id(bytes, id_at) + " of " + std::to_string(size) +
                     " bytes runs past the end of the file"};
    const ByteView body = bytes.subspan(pos, size);
    if (has_id(bytes, id_at, "fmt ")) {
      if (fmt) return Failure{std::string("more than one fmt chunk")};
      auto parsed = parse_fmt(body);
      if (!parsed) return Failure{parsed.error()};
      fmt = *parsed;
    } else if (has_id(bytes, id_at, "data")) {
      if (!fmt) return Failure{std::string("data chunk comes before the fmt chunk")};
      if (data) return Failure{std::string("more than one data chunk")};
      data = body;
    }
    // Odd-sized chunks carry a pad byte, which the last chunk may lack.
    pos += std::min(size_t{size} + (size & 1u), end - pos);
  }
  if (!fmt) return Failure{std::string("no fmt chunk")};
  if (!data) return Failure{std::string("no data chunk")};
  const size_t frame_bytes = static_cast<size_t>(fmt->channels) * sizeof(Sample);
  if (data->size() % frame_bytes != 0)
    return Failure{"data chunk of " + std::to_string(data->size()) +
                   " bytes is not a whole number of sample frames"};
  return WavAudio{fmt->sample_rate, decode_mono(*data, fmt->channels)};
}

Bytes encode_wav(std::span<const Sample> samples, int sample_rate) {
  const auto header = mono_header(sample_rate, static_cast<uint32_t>(samples.size_bytes()));
  Bytes out(header.begin(), header.end());
  out.reserve(header.size() + samples.size_bytes());
  for_each_le_piece(samples, [&](ByteView piece) {
    out.insert(out.end(), piece.begin(), piece.end());
    return true;
  });
  return out;
}

Expected<std::vector<Sample>, std::string> load_wav_48k(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Failure{path + ": cannot open: " + errno_text()};
  Bytes bytes;
  std::array<uint8_t, 65536> chunk;
  size_t n = 0;
  while ((n = std::fread(chunk.data(), 1, chunk.size(), f)) > 0) {
    if (bytes.size() + n > kMaxWavFileBytes) {
      std::fclose(f);
      return Failure{path + ": larger than the " + std::to_string(kMaxWavFileBytes >> 20) +
                     " MiB limit"};
    }
    bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
  }
  const bool read_failed = std::ferror(f) != 0;
  std::fclose(f);
  if (read_failed) return Failure{path + ": read error"};

  auto wav = parse_wav(bytes);
  if (!wav) return Failure{path + ": " + wav.error()};
  return resample(wav->samples, wav->sample_rate, kSampleRate);
}

// ---- WavWriter ----

Expected<WavWriter, std::string> WavWriter::create(const std::string& path, int sample_rate) {
  if (sample_rate < kMinSampleRate || sample_rate > kMaxSampleRate)
    return Failure{path + ": sample rate " + std::to_string(sample_rate) + " Hz is not supported"};
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Failure{path + ": cannot create: " + errno_text()};
  WavWriter writer(fd, path, sample_rate);
  if (!writer.write_header()) return Failure{writer.error()};
  return writer;
}

WavWriter::WavWriter(int fd, std::string path, int sample_rate)
    : fd_(fd), path_(std::move(path)), sample_rate_(sample_rate) {}

WavWriter::WavWriter(WavWriter&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      sample_rate_(other.sample_rate_),
      data_bytes_(other.data_bytes_),
      error_(std::move(other.error_)) {}

WavWriter& WavWriter::operator=(WavWriter&& other) noexcept {
  if (this != &other) {
    close_file();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    sample_rate_ = other.sample_rate_;
    data_bytes_ = other.data_bytes_;
    error_ = std::move(other.error_);
  }
  return *this;
}

WavWriter::~WavWriter() { close_file(); }

void WavWriter::close_file() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool WavWriter::fail(const std::string& what) {
  if (error_.empty()) error_ = path_ + ": " + what;
  return false;
}

bool WavWriter::write_header() {
  const auto header = mono_header(sample_rate_, data_bytes_);
  if (!pwrite_all(fd_, header, 0))
    return fail("cannot write the WAV header: " + errno_text());
  return true;
}

bool WavWriter::append(std::span<const Sample> samples) {
  if (fd_ < 0 || !error_.empty()) return false;
  // The RIFF size field must stay below 4 GiB.
  constexpr uint64_t kMaxDataBytes = 0xFFFFFFFFull - kWavHeaderBytes;
  if (data_bytes_ + samples.size_bytes() > kMaxDataBytes)
    return fail("the 4 GiB WAV size limit is reached; recording stopped");
  const bool written = for_each_le_piece(samples, [&](ByteView piece) {
    if (!pwrite_all(fd_, piece, static_cast<off_t>(kWavHeaderBytes + data_bytes_))) return false;
    data_bytes_ += static_cast<uint32_t>(piece.size());
    return true;
  });
  if (!written) return fail("write failed: " + errno_text());
  return write_header();
}

bool WavWriter::truncate() {
  if (fd_ < 0) return false;
  if (::ftruncate(fd_, static_cast<off_t>(kWavHeaderBytes)) != 0)
    return fail("cannot truncate: " + errno_text());
  data_bytes_ = 0;
  error_.clear();
  return write_header();
}

}  // namespace koe
