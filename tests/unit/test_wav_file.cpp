#include "audio/wav_file.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numbers>
#include <numeric>

#include "audio/resampler.hpp"
#include "tests/unit/wav_builder.hpp"

namespace koe {
namespace {

using test::chunk;
using test::fmt_body;
using test::FmtFields;
using test::pcm_body;
using test::riff;

std::vector<Sample> ramp(size_t n) {
  std::vector<Sample> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<Sample>(static_cast<int>(i % 65536) - 32768);
  return out;
}

std::vector<Sample> sine(double hz, int rate, size_t n, double amplitude = 10000) {
  std::vector<Sample> out(n);
  for (size_t i = 0; i < n; ++i)
    out[i] = static_cast<Sample>(std::lround(amplitude * std::sin(2 * std::numbers::pi * hz * double(i) / rate)));
  return out;
}

// Upward zero crossings per second: a cheap frequency estimate.
double frequency(const std::vector<Sample>& s, int rate) {
  int crossings = 0;
  for (size_t i = 1; i < s.size(); ++i) crossings += s[i - 1] < 0 && s[i] >= 0;
  return crossings * double(rate) / double(s.size());
}

std::string error_of(const Bytes& bytes) {
  auto r = parse_wav(bytes);
  return r ? std::string("(parsed)") : r.error();
}

Bytes read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class WavFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/koe_wav_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

TEST(WavParse, EncodeThenParseGivesTheSamplesBack) {
  const auto samples = ramp(70000);
  const Bytes bytes = encode_wav(samples, 22050);
  ASSERT_EQ(bytes.size(), kWavHeaderBytes + 2 * samples.size());
  auto wav = parse_wav(bytes);
  ASSERT_TRUE(wav) << wav.error();
  EXPECT_EQ(wav->sample_rate, 22050);
  EXPECT_EQ(wav->samples, samples);
}

TEST(WavParse, StereoIsAveragedToMono) {
  const Bytes bytes = riff({chunk("fmt ", fmt_body({.channels = 2})),
                            chunk("data", pcm_body({100, 300, -32768, -32768, 32767, -32767}))});
  auto wav = parse_wav(bytes);
  ASSERT_TRUE(wav) << wav.error();
  EXPECT_EQ(wav->samples, (std::vector<Sample>{200, -32768, 0}));
}

TEST(WavParse, SkipsUnknownAndOddSizedChunks) {
  const Bytes bytes = riff({chunk("LIST", {'a', 'b', 'c'}), chunk("fmt ", fmt_body({})),
                            chunk("junk", {1}), chunk("data", pcm_body({1, 2, 3}))});
  auto wav = parse_wav(bytes);
  ASSERT_TRUE(wav) << wav.error();
  EXPECT_EQ(wav->samples, (std::vector<Sample>{1, 2, 3}));
}

TEST(WavParse, AcceptsAMissingPadByteOnTheLastChunkAndTrailingBytesAfterRiff) {
  Bytes bytes = riff({chunk("fmt ", fmt_body({})), chunk("data", pcm_body({7})),
                      chunk("note", {'x'}, /*pad=*/false)});
  auto wav = parse_wav(bytes);
  ASSERT_TRUE(wav) << wav.error();
  bytes.insert(bytes.end(), {0xde, 0xad});  // beyond the RIFF size: ignored
  wav = parse_wav(bytes);
  ASSERT_TRUE(wav) << wav.error();
  EXPECT_EQ(wav->samples, std::vector<Sample>{7});
}

TEST(WavParse, AcceptsExtensiblePcm) {
  Bytes fmt = fmt_body({.tag = 0xFFFE});
  test::put_le(fmt, 22, 2);   // cbSize
  test::put_le(fmt, 16, 2);   // valid bits
  test::put_le(fmt, 4, 4);    // channel mask
  const Bytes pcm_guid = {0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,
                          0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
  Bytes good = fmt;
  good.insert(good.end(), pcm_guid.begin(), pcm_guid.end());
  auto wav = parse_wav(riff({chunk("fmt ", good), chunk("data", pcm_body({5, 6}))}));
  ASSERT_TRUE(wav) << wav.error();
  EXPECT_EQ(wav->samples, (std::vector<Sample>{5, 6}));

  Bytes float_guid = pcm_guid;
  float_guid[0] = 0x03;
  Bytes bad = fmt;
  bad.insert(bad.end(), float_guid.begin(), float_guid.end());
  EXPECT_NE(error_of(riff({chunk("fmt ", bad), chunk("data", pcm_body({5}))})).find("non-PCM"),
            std::string::npos);
}

struct BadWav {
  const char* name;
  Bytes bytes;
  const char* error_mentions;
};

TEST(WavParse, MalformedFilesGetAnErrorThatNamesTheProblem) {
  const Bytes fmt = chunk("fmt ", fmt_body({}));
  const Bytes data = chunk("data", pcm_body({1, 2}));
  Bytes huge_chunk = riff({fmt, data});
  huge_chunk[40] = 0xFF;  // data chunk size (offset 40) now runs far past the end
  huge_chunk[41] = 0xFF;
  const std::vector<BadWav> cases = {
      {"empty", {}, "too short"},
      {"text", Bytes{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!'}, "no RIFF header"},
      {"not WAVE", [&] { Bytes b = riff({fmt, data}); b[8] = 'A'; return b; }(), "not WAVE"},
      {"RIFF size past end", riff({fmt, data}, 1000), "RIFF size 1000"},
      {"RIFF size too small", riff({fmt, data}, 2), "RIFF size 2"},
      {"chunk past end", huge_chunk, "runs past the end"},
      {"float", riff({chunk("fmt ", fmt_body({.tag = 3, .bits = 32})), data}), "floating-point"},
      {"mp3", riff({chunk("fmt ", fmt_body({.tag = 0x55})), data}), "tag 0x0055"},
      {"8-bit", riff({chunk("fmt ", fmt_body({.bits = 8})), data}), "8-bit"},
      {"24-bit", riff({chunk("fmt ", fmt_body({.bits = 24})), data}), "24-bit"},
      {"6 channels", riff({chunk("fmt ", fmt_body({.channels = 6})), data}), "6 channels"},
      {"0 channels", riff({chunk("fmt ", fmt_body({.channels = 0})), data}), "0 channels"},
      {"rate 1000", riff({chunk("fmt ", fmt_body({.rate = 1000})), data}), "1000 Hz"},
      {"rate 4e9", riff({chunk("fmt ", fmt_body({.rate = 4000000000u})), data}), "4000000000 Hz"},
      {"block align", riff({chunk("fmt ", fmt_body({.block_align = 3})), data}), "block align 3"},
      {"byte rate", riff({chunk("fmt ", fmt_body({.byte_rate = 5})), data}), "byte rate 5"},
      {"short fmt", riff({chunk("fmt ", Bytes(14, 0)), data}), "fmt chunk is 14 bytes"},
      {"no fmt", riff({data}), "before the fmt"},
      {"fmt only", riff({fmt}), "no data chunk"},
      {"nothing", riff({}), "no fmt chunk"},
      {"two fmt", riff({fmt, fmt, data}), "more than one fmt"},
      {"two data", riff({fmt, data, data}), "more than one data"},
      {"half frame", riff({chunk("fmt ", fmt_body({.channels = 2})), chunk("data", pcm_body({1}))}),
       "whole number"},
  };
  for (const auto& c : cases) {
    const std::string error = error_of(c.bytes);
    EXPECT_NE(error.find(c.error_mentions), std::string::npos)
        << c.name << ": got \"" << error << "\"";
  }
}

TEST(WavParse, ChunkIdsInErrorsArePrintable) {
  Bytes bytes = riff({chunk("fmt ", fmt_body({})), chunk("data", pcm_body({1}))});
  const Bytes bad_id = {'\n', 0x01, 'a', 0xFF};
  std::copy(bad_id.begin(), bad_id.end(), bytes.begin() + 36);
  bytes[40] = 0xFF;
  EXPECT_NE(error_of(bytes).find("'??a?'"), std::string::npos) << error_of(bytes);
}

TEST(Resampler, WholeBufferHasTheExactScaledLengthAndKeepsThePitch) {
  const auto in = sine(440, 44100, 44100);
  const auto out = resample(in, 44100, kSampleRate);
  EXPECT_EQ(out.size(), 48000u);
  EXPECT_NEAR(frequency(out, kSampleRate), 440, 2);
  EXPECT_EQ(resample(in, 44100, 44100), in);
  EXPECT_EQ(resample(std::vector<Sample>(3, 1), 8000, 48000).size(), 18u);
}

TEST(Resampler, StreamingInSmallPiecesMatchesTheWholeBuffer) {
  const auto in = sine(1000, kSampleRate, 4800);
  Resampler streaming(kSampleRate, 16000, 5);
  std::vector<Sample> pieces;
  for (size_t at = 0; at < in.size(); at += 960)
    streaming.process(std::span(in).subspan(at, 960), pieces);
  streaming.flush(pieces);
  Resampler whole(kSampleRate, 16000, 5);
  std::vector<Sample> once;
  whole.process(in, once);
  whole.flush(once);
  EXPECT_EQ(pieces, once);
  EXPECT_NEAR(double(pieces.size()), 1600, 2);
}

TEST_F(WavFiles, LoadConvertsAnyCommonRateToFortyEightKilohertzMono) {
  for (int rate : {8000, 16000, 22050, 44100, 48000, 96000}) {
    const auto tone = sine(500, rate, static_cast<size_t>(rate));  // 1 s
    std::ofstream(path("in.wav"), std::ios::binary).write(
        reinterpret_cast<const char*>(encode_wav(tone, rate).data()),
        static_cast<std::streamsize>(kWavHeaderBytes + 2 * tone.size()));
    auto loaded = load_wav_48k(path("in.wav"));
    ASSERT_TRUE(loaded) << loaded.error();
    EXPECT_EQ(loaded->size(), 48000u) << rate;
    EXPECT_NEAR(frequency(*loaded, kSampleRate), 500, 3) << rate;
  }
}

TEST_F(WavFiles, LoadErrorsNameTheFile) {
  auto missing = load_wav_48k(path("nope.wav"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("nope.wav"), std::string::npos);
  EXPECT_NE(missing.error().find("No such file"), std::string::npos) << missing.error();

  std::ofstream(path("bad.wav")) << "this is not audio";
  auto bad = load_wav_48k(path("bad.wav"));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("bad.wav: not a WAV file"), std::string::npos) << bad.error();
}

TEST_F(WavFiles, WriterHeaderIsValidAfterEveryBlock) {
  auto writer = WavWriter::create(path("out.wav"), 16000);
  ASSERT_TRUE(writer) << writer.error();
  auto empty = parse_wav(read_file(path("out.wav")));
  ASSERT_TRUE(empty) << empty.error();
  EXPECT_TRUE(empty->samples.empty());

  const auto samples = ramp(3000);
  for (size_t at = 0; at < samples.size(); at += 1000) {
    ASSERT_TRUE(writer->append(std::span(samples).subspan(at, 1000)));
    auto now = parse_wav(read_file(path("out.wav")));
    ASSERT_TRUE(now) << now.error();
    EXPECT_EQ(now->sample_rate, 16000);
    EXPECT_EQ(now->samples, std::vector<Sample>(samples.begin(), samples.begin() + at + 1000));
  }
  EXPECT_EQ(writer->samples_written(), 3000u);
}

TEST_F(WavFiles, WriterTruncateStartsAnEmptyRecording) {
  auto writer = WavWriter::create(path("out.wav"), kSampleRate);
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->append(ramp(500)));
  ASSERT_TRUE(writer->truncate());
  ASSERT_TRUE(writer->append(std::vector<Sample>{9, 8}));
  auto wav = parse_wav(read_file(path("out.wav")));
  ASSERT_TRUE(wav) << wav.error();
  EXPECT_EQ(wav->samples, (std::vector<Sample>{9, 8}));
}

TEST_F(WavFiles, WriterCreateErrorsNameThePath) {
  auto bad_dir = WavWriter::create(path("no/such/dir/out.wav"), kSampleRate);
  ASSERT_FALSE(bad_dir);
  EXPECT_NE(bad_dir.error().find("no/such/dir/out.wav"), std::string::npos);
  EXPECT_FALSE(WavWriter::create(path("out.wav"), 1000));
}

TEST_F(WavFiles, FileIsValidAfterTheWriterIsKilledBySigterm) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const std::string out = path("killed.wav");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ready[0]);
    auto writer = WavWriter::create(out, kSampleRate);
    const std::vector<Sample> block(960, 1234);
    for (int i = 0;; ++i) {  // runs until killed
      if (!writer || !writer->append(block)) _exit(1);
      if (i == 10 && write(ready[1], "r", 1) != 1) _exit(1);
    }
  }
  close(ready[1]);
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1) << "the writer child died before writing";
  close(ready[0]);
  ASSERT_EQ(kill(child, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);

  auto wav = parse_wav(read_file(out));
  ASSERT_TRUE(wav) << wav.error();
  EXPECT_GE(wav->samples.size(), 11u * 960);
  EXPECT_EQ(wav->samples.size() % 960, 0u) << "the header counts only whole appended blocks";
  EXPECT_EQ(std::count(wav->samples.begin(), wav->samples.end(), Sample{1234}),
            static_cast<std::ptrdiff_t>(wav->samples.size()));
}

}  // namespace
}  // namespace koe
