// The speex echo canceller skips its adaptive filter while the far end has been quiet
// for longer than the filter reaches (issue 4's CPU goal): when it skips, that it
// resumes on the very frame the far end returns with the echo path it had learned, and
// that noise suppression carries on through the skip with no change of level or floor.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "audio/echo_canceller_speex.hpp"
#include "audio/resampler.hpp"
#include "audio/voice_processor.hpp"
#include "voice_signals.hpp"

namespace koe {
namespace {

using test::power_db;

// The canceller runs in the speech band, as VoiceProcessor runs it.
constexpr int kRate = kSpeechBandRate;
constexpr size_t kFrame = processing_frame_samples(kRate);
constexpr size_t kTailFrames = SpeexEchoCanceller::kDefaultTail / frame_period(FrameLength::k10ms);

// Samples at kRate.
size_t at(double seconds) { return static_cast<size_t>(seconds * kRate); }

// Test signals are made at 48 kHz; the canceller gets them in its band.
std::vector<Sample> band(const std::vector<Sample>& full) { return resample(full, kSampleRate, kRate); }

// Samples [from, to) set to zero.
std::vector<Sample> silence(std::vector<Sample> s, size_t from, size_t to) {
  std::fill(s.begin() + static_cast<std::ptrdiff_t>(from), s.begin() + static_cast<std::ptrdiff_t>(to), 0);
  return s;
}

struct Processed {
  std::vector<Sample> out;
  std::vector<bool> skipped;  // per frame
};

Processed run(SpeexEchoCanceller& canceller, const std::vector<Sample>& capture, const std::vector<Sample>& far) {
  Processed r{std::vector<Sample>(capture.size(), 0), {}};
  for (size_t a = 0; a + kFrame <= capture.size(); a += kFrame) {
    canceller.process(std::span(capture).subspan(a, kFrame), std::span(far).subspan(a, kFrame),
                      std::span(r.out).subspan(a, kFrame));
    r.skipped.push_back(canceller.skipping());
  }
  return r;
}

SpeexEchoCanceller make(bool skip) { return SpeexEchoCanceller(SpeexEchoCanceller::kDefaultTail, true, kRate, skip); }

// Far-end noise for 4 s, digital silence for 3 s, then noise again.
TEST(FarEndSilence, SkipsOnceTheFilterHoldsOnlyQuietFramesAndResumesOnTheFirstLoudOne) {
  const auto far = silence(test::white_noise(at(8), 1000, 1), at(4), at(7));
  const auto capture = test::white_noise(at(8), 100, 2);
  auto canceller = make(true);
  const Processed r = run(canceller, capture, far);
  ASSERT_EQ(r.skipped.size(), at(8) / kFrame);
  const size_t quiet_from = 400, loud_again = 700;  // frames
  for (size_t f = 0; f < r.skipped.size(); ++f) {
    // The filter holds this frame and kTailFrames before it: all of them are quiet
    // from the (kTailFrames + 1)th quiet frame on.
    const bool expected = f >= quiet_from + kTailFrames && f < loud_again;
    ASSERT_EQ(r.skipped[f], expected) << "frame " << f;
  }
}

TEST(FarEndSilence, QuietMeansUnderTheFloorNotDigitalSilence) {
  const auto capture = test::white_noise(at(3), 100, 3);
  const auto skipping_at_end = [&](double far_rms, bool skip) -> bool {
    auto canceller = make(skip);
    return run(canceller, capture, test::white_noise(at(3), far_rms, 4)).skipped.back();
  };
  // The floor, -60 dBFS, is an RMS of 32.8.
  EXPECT_TRUE(skipping_at_end(0, true));
  EXPECT_TRUE(skipping_at_end(23, true));   // -63 dBFS: a listener's comfort noise
  EXPECT_FALSE(skipping_at_end(46, true));  // -57 dBFS: something to cancel
  EXPECT_FALSE(skipping_at_end(0, false)) << "the skip can be switched off";
}

// A talker whose echo the canceller learns, who stops for 3 s (while the near end
// talks), then talks again.
struct GapCase {
  std::vector<Sample> far, capture;
  static constexpr double kGapFrom = 8, kGapTo = 11, kEnd = 16;
};

GapCase gap_case(uint32_t seed) {
  const size_t n = test::seconds(GapCase::kEnd);
  const auto far = silence(test::speech_like(n, 6000, seed), test::seconds(GapCase::kGapFrom),
                           test::seconds(GapCase::kGapTo));
  const auto near = silence(silence(test::speech_like(n, 4000, seed + 1), 0, test::seconds(GapCase::kGapFrom + 0.5)),
                            test::seconds(GapCase::kGapTo - 0.5), n);
  const double delay = 0.04 + 0.02 * (seed % 4);
  const auto echo = test::echo_of(far, test::seconds(delay), 0.5, seed + 2);
  return {band(far), band(test::mix(test::mix(echo, near), test::white_noise(n, 30, seed + 3)))};
}

double erle(const GapCase& c, const std::vector<Sample>& out, double from, double to) {
  return power_db(c.capture, at(from), at(to)) - power_db(out, at(from), at(to));
}

// The echo path learned before the gap cancels the echo after it from the first frames
// on, as well as without the skip (means over a few talkers and echo delays: the
// filter's adaptation is chaotic enough that single cases move a dB either way), and
// far better than a canceller that starts afresh at the end of the gap would.
TEST(FarEndSilence, TheLearnedEchoPathIsKeptThroughTheSilence) {
  constexpr double kTo = GapCase::kGapTo;
  double first_with = 0, first_without = 0, later_with = 0, later_without = 0, first_fresh = 0;
  constexpr int kCases = 4;
  for (uint32_t seed = 10; seed < 10 + 10 * kCases; seed += 10) {
    const GapCase c = gap_case(seed);
    auto skipping = make(true), processing = make(false);
    const Processed with = run(skipping, c.capture, c.far), without = run(processing, c.capture, c.far);
    size_t skipped = 0;
    for (size_t f = at(GapCase::kGapFrom) / kFrame; f < at(kTo) / kFrame; ++f) skipped += with.skipped[f];
    EXPECT_GT(skipped, at(kTo - GapCase::kGapFrom - 0.4) / kFrame) << "the gap is skipped";
    EXPECT_FALSE(with.skipped[at(kTo) / kFrame + 10]) << "the far end talks again";

    // A canceller that never heard the far end before the gap.
    auto fresh = make(true);
    const Processed restarted = run(fresh, c.capture, silence(c.far, 0, at(kTo)));

    first_with += erle(c, with.out, kTo, kTo + 0.5) / kCases;
    first_without += erle(c, without.out, kTo, kTo + 0.5) / kCases;
    first_fresh += erle(c, restarted.out, kTo, kTo + 0.5) / kCases;
    later_with += erle(c, with.out, kTo + 0.5, GapCase::kEnd) / kCases;
    later_without += erle(c, without.out, kTo + 0.5, GapCase::kEnd) / kCases;
  }
  RecordProperty("erle_first_half_second_db", std::to_string(first_with));
  RecordProperty("erle_first_half_second_without_skip_db", std::to_string(first_without));
  RecordProperty("erle_first_half_second_fresh_db", std::to_string(first_fresh));
  RecordProperty("erle_later_db", std::to_string(later_with));
  RecordProperty("erle_later_without_skip_db", std::to_string(later_without));
  EXPECT_GT(first_with, first_without - 1.0);
  EXPECT_GT(later_with, later_without - 1.0);
  EXPECT_GT(first_with, first_fresh + 6.0) << "no echo burst: the filter was kept";
}

// Noise suppression (the preprocessor's, with the canceller) goes on while the filter
// is skipped: the output is what the canceller gives without the skip, window by window,
// and the noise floor does not move when the skip starts.
TEST(FarEndSilence, NoiseSuppressionCarriesOnThroughTheSkip) {
  const size_t n = test::seconds(8);
  const auto far48 = silence(test::speech_like(n, 6000, 50), test::seconds(3), n);
  const auto near = silence(test::speech_like(n, 3000, 51), 0, test::seconds(5));
  const auto capture = band(test::mix(test::mix(test::echo_of(far48, test::seconds(0.05), 0.4, 52), near),
                                      test::white_noise(n, 300, 53)));  // about -40 dBFS
  const auto far = band(far48);
  auto skipping = make(true), processing = make(false);
  skipping.suppress_noise(true);
  processing.suppress_noise(true);
  const Processed with = run(skipping, capture, far), without = run(processing, capture, far);

  // The far end's last words end before 3 s; the skip that lasts starts after them.
  size_t last_processed = at(4) / kFrame;
  while (last_processed > 0 && with.skipped[last_processed]) --last_processed;
  const size_t skip_from = (last_processed + 1) * kFrame;
  ASSERT_GT(skip_from, at(2.5));
  ASSERT_LT(skip_from, at(3.5));

  // Noise alone, 0.1 s either side of where the skip starts (the echo has died away):
  // the floor holds, still suppressed, as without the skip.
  const size_t window = at(0.1);
  const double before = power_db(with.out, skip_from - window, skip_from);
  const double after = power_db(with.out, skip_from, skip_from + window);
  RecordProperty("noise_floor_before_db", std::to_string(before));
  RecordProperty("noise_floor_after_db", std::to_string(after));
  EXPECT_NEAR(after, before, 1.0) << "the noise floor holds";
  EXPECT_LT(after, power_db(capture, skip_from, skip_from + window) - 10.0) << "the noise is still suppressed";

  // Noise, then the near-end talker, through the skip: as without it, 100 ms at a time.
  // (Attached to the filter, speexdsp's preprocessor also counts what the filter's DC
  // notch took away as residual echo; the skip does not: a few tenths of a dB.)
  double largest = 0;
  for (size_t a = skip_from - at(0.2); a + window <= at(8); a += window) {
    const double difference = power_db(with.out, a, a + window) - power_db(without.out, a, a + window);
    largest = std::max(largest, std::abs(difference));
    EXPECT_LT(std::abs(difference), 1.0) << "at " << double(a) / kRate << " s";
  }
  RecordProperty("largest_level_difference_db", std::to_string(largest));
}

// Through the whole chain: the noise floor VoiceProcessor hands on does not move when
// the far end falls silent and the canceller starts skipping.
TEST(FarEndSilence, TheProcessedNoiseFloorHoldsWhenTheFarEndFallsSilent) {
  VoiceProcessor processor(EchoCancellerKind::kSpeex, {.echo_cancellation = true,
                                                       .noise_suppression = true,
                                                       .automatic_gain = false,
                                                       .voice_activity_detection = false});
  const size_t n = test::seconds(6);
  const auto far = silence(test::speech_like(n, 6000, 60), test::seconds(2), n);
  const auto noise = test::white_noise(n, 300, 61);
  std::vector<Sample> out = noise;
  constexpr size_t kEngineFrame = 2 * kVoiceProcessingFrameSamples;  // 20 ms, as the engine runs
  for (size_t a = 0; a + kEngineFrame <= n; a += kEngineFrame)
    processor.process(std::span(out).subspan(a, kEngineFrame), std::span(far).subspan(a, kEngineFrame));
  // The far end stops at 2 s; the skip starts 0.3 s after its last sound.
  const double floor = power_db(out, test::seconds(3), test::seconds(6));
  for (double t = 2.0; t < 6; t += 0.5) {
    const double level = power_db(out, test::seconds(t), test::seconds(t + 0.5));
    EXPECT_NEAR(level, floor, 1.0) << "at " << t << " s";
  }
  EXPECT_LT(floor, power_db(noise, test::seconds(3), test::seconds(6)) - 10.0) << "the noise is suppressed";
}

}  // namespace
}  // namespace koe
