// Jitter-buffer behaviour on scripted arrival traces: order, reordering, loss, FEC and
// redundancy, bursts, spikes, DTX, outages, wrap-around, hostile timestamps and an hour
// of +-100 ppm clock skew. A scripted decoder plays a continuous tone whose phase comes
// from the media position, so gaps, repeats and clicks show in the samples.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <optional>
#include <random>

#include "audio/jitter_buffer.hpp"

namespace koe {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kFrame = 960;
constexpr double kToneHz = 220.0;
constexpr double kToneAmplitude = 8000.0;
// The tone's largest step between samples, with room for a cross-fade's rounding.
const double kMaxToneStep = kToneAmplitude * 2 * std::numbers::pi * kToneHz / kSampleRate * 1.25;

// 220 Hz repeats exactly every second: one second of it, computed once.
Sample tone(int64_t position) {
  static const std::vector<Sample> second = [] {
    std::vector<Sample> s(kSampleRate);
    for (size_t n = 0; n < s.size(); ++n)
      s[n] = static_cast<Sample>(std::lround(kToneAmplitude * std::sin(2 * std::numbers::pi * kToneHz * double(n) / kSampleRate)));
    return s;
  }();
  return second[static_cast<size_t>(position % kSampleRate)];
}

// Payload: 'T', u32 media position, u16 samples, flags (1: voice active, 2: carries FEC).
Bytes scripted_payload(int64_t position, int samples, bool voice_active, bool fec) {
  const auto p = static_cast<uint32_t>(position);
  return {'T',
          uint8_t(p >> 24), uint8_t(p >> 16), uint8_t(p >> 8), uint8_t(p),
          uint8_t(samples >> 8), uint8_t(samples),
          uint8_t((voice_active ? 1 : 0) | (fec ? 2 : 0))};
}

class ScriptedDecoder final : public VoiceDecoder {
 public:
  std::optional<PayloadInfo> inspect(ByteView p) const override {
    if (p.size() != 8 || p[0] != 'T') return std::nullopt;
    return PayloadInfo{(p[5] << 8) | p[6], (p[7] & 1) != 0, (p[7] & 2) != 0};
  }
  bool decode(ByteView p, std::span<Sample> out) override {
    const auto info = inspect(p);
    if (!info) return false;
    for (int i = 0; i < info->samples; ++i) out[i] = tone(position(p) + i);
    return true;
  }
  bool decode_fec(ByteView next, std::span<Sample> out) override {
    const int64_t start = position(next) - int64_t(out.size());
    for (size_t i = 0; i < out.size(); ++i) out[i] = tone(start + int64_t(i));
    return true;
  }
  void conceal(std::span<Sample> out) override { std::fill(out.begin(), out.end(), Sample{0}); }

 private:
  static int64_t position(ByteView p) {
    return (int64_t(p[1]) << 24) | (int64_t(p[2]) << 16) | (int64_t(p[3]) << 8) | int64_t(p[4]);
  }
};

// How frame k travels: its one-way delay, or nullopt when the network loses it.
using DelayModel = std::function<std::optional<Duration>(int k)>;

struct Stream {
  int frames = 500;
  double skew_ppm = 0;  // > 0: the sender's clock runs fast
  DelayModel delay = [](int) { return std::optional<Duration>(milliseconds(20)); };
  int red_depth = 0;
  bool fec = false;
  int copies = 1;
  uint16_t first_sequence = 1000;
  uint32_t first_timestamp = 5000;
  // DTX: frames the sender does not send, and frames it marks as silence.
  std::function<bool(int k)> unsent = [](int) { return false; };
  std::function<bool(int k)> inactive = [](int) { return false; };
};

struct Arrival {
  TimePoint at;
  VoiceFrame frame;
};

std::vector<Arrival> transmit(const Stream& s) {
  std::vector<Arrival> arrivals;
  uint16_t sequence = s.first_sequence;
  std::vector<RedundantFrame> history;  // newest first
  for (int k = 0; k < s.frames; ++k) {
    if (s.unsent(k)) continue;
    VoiceFrame f;
    f.sequence = sequence++;
    f.timestamp = s.first_timestamp + uint32_t(k * kFrame);
    f.opus = scripted_payload(int64_t(k) * kFrame, kFrame, !s.inactive(k), s.fec);
    for (int d = 0; d < s.red_depth && d < int(history.size()); ++d) f.redundancy.push_back(history[d]);
    history.insert(history.begin(), RedundantFrame{0, f.opus});
    if (history.size() > kMaxRedundantFrames) history.pop_back();
    for (auto& h : history) h.timestamp_offset = uint16_t(h.timestamp_offset + kFrame);
    const auto delay = s.delay(k);
    if (!delay) continue;
    const double send_us = k * 20000.0 * (1.0 - s.skew_ppm * 1e-6);
    for (int c = 0; c < s.copies; ++c)
      arrivals.push_back({TimePoint(Duration(int64_t(send_us))) + *delay, f});
  }
  std::stable_sort(arrivals.begin(), arrivals.end(),
                   [](const Arrival& a, const Arrival& b) { return a.at < b.at; });
  return arrivals;
}

struct Playout {
  JitterBufferStats stats;
  int pulls_playing = 0;
  double max_step = 0;  // largest sample-to-sample change while playing
  int kinds[7] = {};
};

// Pulls 20 ms frames every 20 ms of receiver time, inserting each arrival just before the
// first pull at or after it, until everything arrived was played (or `duration` passed).
// `observe` sees every pull.
Playout play(JitterBuffer& jb, const std::vector<Arrival>& arrivals, Duration duration,
             const std::function<void(TimePoint, const PullResult&, const JitterBuffer&)>& observe = {},
             int pull_ms = 20) {
  Playout p;
  std::vector<Sample> out(size_t(pull_ms) * 48);
  size_t next = 0;
  std::optional<Sample> previous;
  for (TimePoint now{}; now < TimePoint(duration); now += milliseconds(pull_ms)) {
    while (next < arrivals.size() && arrivals[next].at <= now) {
      jb.insert(arrivals[next].at, arrivals[next].frame);
      ++next;
    }
    const PullResult r = jb.pull(now, out);
    ++p.kinds[int(r.kind)];
    if (r.kind != PlayoutKind::kSilence) {
      ++p.pulls_playing;
      for (const Sample x : out) {
        if (previous) p.max_step = std::max(p.max_step, std::abs(double(x) - double(*previous)));
        previous = x;
      }
    }
    if (observe) observe(now, r, jb);
    if (next == arrivals.size() && jb.buffered_packets() == 0) break;
  }
  p.stats = jb.stats();
  return p;
}

std::optional<Duration> lose(int k, std::initializer_list<int> lost) {
  if (std::find(lost.begin(), lost.end(), k) != lost.end()) return std::nullopt;
  return milliseconds(20);
}

JitterBuffer make_buffer(JitterBufferConfig config = {}) {
  return JitterBuffer(std::make_unique<ScriptedDecoder>(), config);
}

TEST(JitterBuffer, SteadyStreamPlaysEveryFrameInOrderWithoutAClick) {
  Stream s;
  auto jb = make_buffer();
  const Playout p = play(jb, transmit(s), seconds(12));
  EXPECT_EQ(p.stats.normal, uint64_t(s.frames));
  EXPECT_EQ(p.stats.concealed, 0u);
  EXPECT_EQ(p.stats.late, 0u);
  EXPECT_LE(p.max_step, kMaxToneStep);
}

// Packets that arrive 8 ms before a pull on a jitter-free path: once the initial 40 ms
// target has come down (8 s time constant), a packet waits its margin plus at most the
// trimmed audio queued before it, not a whole extra pull as well (which kept the slack
// at or above target + pull + 2.5 ms = 23.5 ms).
TEST(JitterBuffer, ARegularStreamWaitsLessThanAPullOnceSettled) {
  Stream s;
  s.frames = 2000;  // 40 s
  s.delay = [](int) { return std::optional<Duration>(milliseconds(12)); };
  auto jb = make_buffer();
  double max_settled_slack = 0;
  const Playout p = play(jb, transmit(s), seconds(50), [&](TimePoint now, const PullResult&, const JitterBuffer& b) {
    if (now >= TimePoint(seconds(28)) && now < TimePoint(seconds(38)))
      max_settled_slack = std::max(max_settled_slack, b.stats().slack_ms);
  });
  EXPECT_EQ(p.stats.concealed, 0u);
  EXPECT_EQ(p.stats.late, 0u);
  EXPECT_LE(p.max_step, kMaxToneStep);
  EXPECT_GT(max_settled_slack, 0.0);
  EXPECT_LT(max_settled_slack, 22.0);
}

TEST(JitterBuffer, TenMillisecondPullsPlayTwentyMillisecondFrames) {
  Stream s;
  s.fec = true;
  s.delay = [](int k) { return lose(k, {100}); };
  auto jb = make_buffer();
  const Playout p = play(jb, transmit(s), seconds(12), {}, 10);
  EXPECT_EQ(p.stats.normal, uint64_t(s.frames - 1));
  EXPECT_EQ(p.stats.fec_recovered, 1u);
  EXPECT_EQ(p.stats.concealed + p.stats.late, 0u);
  EXPECT_LE(p.max_step, kMaxToneStep);
}

TEST(JitterBuffer, ReorderedPacketsAreNotLost) {
  Stream s;
  s.delay = [](int k) { return std::optional<Duration>(milliseconds(k % 10 == 3 ? 50 : 20)); };
  auto jb = make_buffer();
  const Playout p = play(jb, transmit(s), seconds(12));
  EXPECT_EQ(p.stats.normal, uint64_t(s.frames));
  EXPECT_EQ(p.stats.late, 0u);
  EXPECT_EQ(p.stats.concealed, 0u);
  EXPECT_LE(p.max_step, kMaxToneStep);
}

TEST(JitterBuffer, LostFrameIsRebuiltFromTheNextPacketsFec) {
  Stream s;
  s.fec = true;
  s.delay = [](int k) { return lose(k, {100, 250}); };
  auto jb = make_buffer();
  const Playout p = play(jb, transmit(s), seconds(12));
  EXPECT_EQ(p.stats.fec_recovered, 2u);
  EXPECT_EQ(p.stats.concealed, 0u);
  EXPECT_EQ(p.kinds[int(PlayoutKind::kFecRecovered)], 2);
  EXPECT_LE(p.max_step, kMaxToneStep);  // the rebuilt audio joins seamlessly
}

TEST(JitterBuffer, LostFrameWithoutRepairIsConcealed) {
  Stream s;
  s.delay = [](int k) { return lose(k, {100}); };
  auto jb = make_buffer();
  const Playout p = play(jb, transmit(s), seconds(12));
  EXPECT_EQ(p.stats.concealed, 1u);
  EXPECT_EQ(p.stats.normal, uint64_t(s.frames - 1));
}

TEST(JitterBuffer, RedundantCopyReplacesALostPrimary) {
  Stream s;
  s.red_depth = 1;
  s.delay = [](int k) { return lose(k, {100, 300}); };
  auto jb = make_buffer();
  const Playout p = play(jb, transmit(s), seconds(12));
  EXPECT_EQ(p.stats.red_recovered, 2u);
  EXPECT_EQ(p.stats.concealed, 0u);
  EXPECT_LE(p.max_step, kMaxToneStep);
}

TEST(JitterBuffer, BurstLongerThanTheRepairIsPartlyConcealed) {
  // Four in a row lost. With 120 ms buffered, the datagram after the burst is there in
  // time: its copy of frame 203 plays, and that copy's own FEC rebuilds frame 202.
  Stream s;
  s.red_depth = 1;
  s.fec = true;
  s.delay = [](int k) { return lose(k, {200, 201, 202, 203}); };
  JitterBufferConfig deep;
  deep.delay.initial_target = milliseconds(120);
  deep.delay.decay_time = seconds(1000);
  auto jb = make_buffer(deep);
  const Playout p = play(jb, transmit(s), seconds(12));
  EXPECT_EQ(p.stats.red_recovered, 1u);
  EXPECT_EQ(p.stats.fec_recovered, 1u);
  EXPECT_EQ(p.stats.concealed, 2u);
  EXPECT_EQ(p.stats.normal, uint64_t(s.frames - 4));
}

TEST(JitterBuffer, RepairArrivingAfterItsTimeIsNotWaitedFor) {
  // The same burst on a shallow buffer: concealment fills the hole while the next
  // datagram is on its way, then playback skips to it, neither lagging nor replaying.
  Stream s;
  s.red_depth = 1;
  s.fec = true;
  s.delay = [](int k) { return lose(k, {200, 201, 202, 203}); };
  double delay_at_end = 0;
  auto jb = make_buffer();
  const Playout p = play(jb, transmit(s), seconds(12), [&](TimePoint, const PullResult&, const JitterBuffer& b) {
    delay_at_end = b.stats().current_delay_ms;
  });
  // Four lost frames, plus at most the two frames of delay the wait added.
  const uint64_t filled = p.stats.concealed + p.stats.fec_recovered + p.stats.red_recovered;
  EXPECT_GE(filled, 4u);
  EXPECT_LE(filled, 6u);
  EXPECT_EQ(p.stats.normal, uint64_t(s.frames - 4));
  EXPECT_LT(delay_at_end, 60.0);
}

TEST(JitterBuffer, DuplicatesAreCountedAndPlayedOnce) {
  Stream s;
  s.copies = 2;
  auto jb = make_buffer();
  const Playout p = play(jb, transmit(s), seconds(12));
  EXPECT_EQ(p.stats.duplicates, uint64_t(s.frames));
  EXPECT_EQ(p.stats.normal, uint64_t(s.frames));
  EXPECT_LE(p.max_step, kMaxToneStep);
}

TEST(JitterBuffer, SequenceAndTimestampWrapAroundUnnoticed) {
  Stream s;
  s.first_sequence = 65500;
  s.first_timestamp = 0xFFFFFFFFu - 100 * kFrame;
  s.fec = true;
  s.delay = [](int k) { return lose(k, {100}); };  // the loss straddles the timestamp wrap
  auto jb = make_buffer();
  const Playout p = play(jb, transmit(s), seconds(12));
  EXPECT_EQ(p.stats.normal, uint64_t(s.frames - 1));
  EXPECT_EQ(p.stats.fec_recovered, 1u);
  EXPECT_EQ(p.stats.late + p.stats.dropped + p.stats.concealed, 0u);
}

TEST(JitterBuffer, LateSpikeRaisesTheTargetAtOnceAndItComesDownSlowly) {
  // A 150 ms stall: frames 500..507 all arrive when it clears.
  Stream s;
  s.frames = 5000;
  s.delay = [](int k) {
    if (k >= 500 && k < 508) return std::optional<Duration>(milliseconds(170 - (k - 500) * 20));
    return std::optional<Duration>(milliseconds(20));
  };
  double before = 0, after = 0, five_s_later = 0, end = 0;
  JitterBufferConfig config;
  config.delay.initial_target = milliseconds(5);
  auto jb = make_buffer(config);
  const Playout p = play(jb, transmit(s), seconds(101), [&](TimePoint now, const PullResult&, const JitterBuffer& b) {
    const double target = std::chrono::duration<double, std::milli>(b.delay_estimator().target()).count();
    if (now == TimePoint(milliseconds(9980))) before = target;
    if (now == TimePoint(milliseconds(10240))) after = target;
    if (now == TimePoint(milliseconds(15240))) five_s_later = target;
    end = target;
  });
  EXPECT_LT(before, 10.0);
  EXPECT_GT(after, 120.0);                 // up within the spike
  EXPECT_GT(five_s_later, 0.4 * after);    // still high 5 s later
  EXPECT_LT(end, 10.0);                    // and down again after a quiet minute and a half
  EXPECT_EQ(p.stats.late, 0u);             // waited for, not thrown away
  EXPECT_EQ(p.stats.normal, uint64_t(s.frames));
}

TEST(JitterBuffer, DtxSilencePlaysComfortNoiseNotLoss) {
  // Frames 90..99 are silence; 100..199 are not sent except a refresh every 20 frames.
  Stream s;
  s.inactive = [](int k) { return k >= 90 && k < 200; };
  s.unsent = [](int k) { return k >= 100 && k < 200 && k % 20 != 0; };
  auto jb = make_buffer();
  const Playout p = play(jb, transmit(s), seconds(12));
  EXPECT_GT(p.stats.comfort_noise, 80u);
  EXPECT_EQ(p.stats.concealed, 0u);
  EXPECT_EQ(p.stats.late, 0u);
  EXPECT_EQ(p.stats.normal, uint64_t(s.frames - 95));  // every frame that was sent
}

TEST(JitterBuffer, AfterAnOutageTheDelayReturnsToTheTarget) {
  Stream s;
  s.frames = 1000;
  s.delay = [](int k) {
    if (k >= 300 && k < 400) return std::optional<Duration>();  // 2 s outage
    return std::optional<Duration>(milliseconds(20));
  };
  double delay_at_end = 0;
  auto jb = make_buffer();
  const Playout p = play(jb, transmit(s), seconds(21), [&](TimePoint, const PullResult&, const JitterBuffer& b) {
    delay_at_end = b.stats().current_delay_ms;
  });
  EXPECT_GE(p.stats.concealed, 95u);
  EXPECT_LE(p.stats.concealed, 105u);
  EXPECT_EQ(p.stats.normal, 900u);
  EXPECT_LT(delay_at_end, 80.0);  // not 2 s behind
}

TEST(JitterBuffer, PacketsFarOffTheTimelineAreDroppedUntilTheyPersist) {
  auto jb = make_buffer();
  Stream s;
  std::vector<Arrival> arrivals = transmit(s);
  const auto far_frame = [&](int i) {
    VoiceFrame f = arrivals[200].frame;
    f.timestamp += uint32_t(kSampleRate * 60 + i * kFrame);  // a minute ahead
    f.sequence = uint16_t(f.sequence + 3000 + i);
    return f;
  };
  arrivals.insert(arrivals.begin() + 150, Arrival{arrivals[150].at, far_frame(0)});
  Playout p = play(jb, arrivals, seconds(12));
  EXPECT_EQ(p.stats.dropped, 1u);
  EXPECT_EQ(p.stats.resets, 0u);
  EXPECT_EQ(p.stats.normal, uint64_t(s.frames));

  auto restarted = make_buffer();
  arrivals = transmit(s);
  for (int i = 0; i < 3; ++i) arrivals.push_back({arrivals.back().at + milliseconds(20), far_frame(i)});
  p = play(restarted, arrivals, seconds(12));
  EXPECT_EQ(p.stats.resets, 1u);
  EXPECT_EQ(p.stats.dropped, 2u);
}

TEST(JitterBuffer, MalformedPayloadsAreDropped) {
  auto jb = make_buffer();
  VoiceFrame junk;
  junk.opus = {1, 2, 3};
  jb.insert(TimePoint{}, junk);
  EXPECT_EQ(jb.stats().dropped, 1u);
  std::vector<Sample> out(kFrame, 7);
  EXPECT_EQ(jb.pull(TimePoint{}, out).kind, PlayoutKind::kSilence);
  EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](Sample x) { return x == 0; }));
}

// +-100 ppm between the sender's and the receiver's clocks, an hour of 5 ms jitter:
// the buffer time-stretches the difference away, never underruns, never clicks.
class SkewTest : public ::testing::TestWithParam<double> {};

TEST_P(SkewTest, AnHourOfClockSkewIsAbsorbed) {
  const double skew_ppm = GetParam();
  Stream s;
  s.frames = 3600 * 50;
  s.skew_ppm = skew_ppm;
  std::mt19937 rng(7);
  std::vector<int> jitter_us(size_t(s.frames));
  for (int& j : jitter_us) j = int(rng() % 5000);
  s.delay = [&](int k) { return std::optional<Duration>(milliseconds(30) + Duration(jitter_us[size_t(k)])); };

  double max_delay = 0, min_slack = 1e9;
  std::optional<double> stretched_at_settle;  // net samples removed by then
  const auto net_removed = [](const JitterBufferStats& st) {
    return double(st.samples_removed) - double(st.samples_inserted);
  };
  auto jb = make_buffer();
  const Playout p = play(jb, transmit(s), seconds(3600), [&](TimePoint now, const PullResult&, const JitterBuffer& b) {
    if (now < TimePoint(seconds(30))) return;  // the initial target settling
    if (!stretched_at_settle) stretched_at_settle = net_removed(b.stats());
    max_delay = std::max(max_delay, b.stats().current_delay_ms);
    min_slack = std::min(min_slack, b.stats().slack_ms);
  });
  EXPECT_EQ(p.stats.concealed, 0u);
  EXPECT_EQ(p.stats.late, 0u);
  EXPECT_LE(p.max_step, kMaxToneStep);  // no click anywhere in the hour
  EXPECT_LT(max_delay, 80.0);           // no drift
  EXPECT_GT(min_slack, 0.0);
  // 100 ppm of the hour after settling is 357 ms, removed (fast sender) or inserted
  // (slow sender), give or take the steering window.
  ASSERT_TRUE(stretched_at_settle);
  const double net_ms = (net_removed(p.stats) - *stretched_at_settle) / 48.0;
  EXPECT_NEAR(net_ms, skew_ppm * 1e-6 * 3570 * 1000, 30.0);
}

INSTANTIATE_TEST_SUITE_P(PlusMinus100ppm, SkewTest, ::testing::Values(100.0, -100.0));

}  // namespace
}  // namespace koe
