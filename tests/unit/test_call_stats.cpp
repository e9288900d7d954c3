// CallStats: the E-model MOS behaves as G.107 says (best about 4.4, lower with loss
// and with long delay), the derived figures, and the JSON the CLI writes.
#include <gtest/gtest.h>

#include "app/call_stats.hpp"
#include "net/user_id.hpp"
#include "tests/unit/app_test_support.hpp"

namespace koe {
namespace {

using namespace std::chrono_literals;

TEST(EModel, ACleanShortCallScoresAboutFourPointFour) {
  const double mos = emodel::estimate_mos(20.0, 0.0);
  EXPECT_GE(mos, 4.3);
  EXPECT_LE(mos, 4.41);
  EXPECT_NEAR(emodel::r_factor(0.0, 0.0), 93.2, 1e-9);
}

TEST(EModel, LossLowersTheScore) {
  const double clean = emodel::estimate_mos(20.0, 0.0);
  const double one = emodel::estimate_mos(20.0, 1.0);
  const double ten = emodel::estimate_mos(20.0, 10.0);
  EXPECT_LT(one, clean);
  EXPECT_LT(ten, one);
  EXPECT_LT(ten, 3.6);  // 10 % random loss is clearly audible
  EXPECT_GT(ten, 2.5);  // but concealment keeps it a usable call
}

TEST(EModel, LongDelayLowersTheScore) {
  const double short_delay = emodel::estimate_mos(20.0, 0.0);
  const double long_delay = emodel::estimate_mos(400.0, 0.0);
  EXPECT_LT(long_delay, short_delay);
  EXPECT_LT(long_delay, 3.6);
  // Below G.114's 150 ms the cost is small; past the knee it grows fast.
  EXPECT_GT(emodel::estimate_mos(150.0, 0.0), 4.2);
  EXPECT_GT(emodel::delay_impairment(300.0) - emodel::delay_impairment(200.0),
            emodel::delay_impairment(150.0) - emodel::delay_impairment(50.0));
}

TEST(EModel, TheScaleIsBoundedAndMonotonic) {
  EXPECT_EQ(emodel::mos_from_r(-20.0), 1.0);
  EXPECT_EQ(emodel::mos_from_r(120.0), 4.5);
  double previous = 0.0;
  for (double r = 0.0; r <= 100.0; r += 0.5) {
    const double mos = emodel::mos_from_r(r);
    EXPECT_GE(mos, 1.0);
    EXPECT_LE(mos, 4.5);
    EXPECT_GE(mos, previous) << "R = " << r;
    previous = mos;
  }
  EXPECT_EQ(emodel::estimate_mos(10000.0, 100.0), 1.0);
  EXPECT_EQ(emodel::loss_impairment(-5.0), 0.0) << "nonsense input is clamped";
}

CallStats sample() {
  CallStats s;
  s.peer = test::test_node_id(5);
  s.connected = true;
  s.path = CallPath::kRelay;
  s.relay = Endpoint{Endpoint::make_ip(198, 51, 100, 11), 4000};
  s.setup_time = 1234ms;
  s.rtt = 40ms;
  s.jitter_buffer_delay = 60ms;
  s.bitrate_bps = 24000;
  s.packets_sent = 1000;
  s.packets_received = 950;
  s.packets_lost = 50;
  s.frames_concealed = 20;
  s.frames_fec_recovered = 30;
  return s;
}

TEST(CallStats, DerivedFigures) {
  const CallStats s = sample();
  EXPECT_DOUBLE_EQ(network_loss_fraction(s), 0.05);
  EXPECT_DOUBLE_EQ(residual_loss_fraction(s), 0.02);
  EXPECT_DOUBLE_EQ(mouth_to_ear_delay_ms(s), 20.0 + 60.0 + emodel::kCodecDelayMs);
  // FEC-recovered frames count as heard: the score follows residual (2 %), not network (5 %) loss.
  EXPECT_DOUBLE_EQ(mos_estimate(s), emodel::estimate_mos(mouth_to_ear_delay_ms(s), 2.0));

  const CallStats empty;
  EXPECT_EQ(network_loss_fraction(empty), 0.0);
  EXPECT_EQ(residual_loss_fraction(empty), 0.0);
  EXPECT_DOUBLE_EQ(mouth_to_ear_delay_ms(empty), emodel::kCodecDelayMs);
}

TEST(CallStats, JsonHasEveryFieldTheCliPromises) {
  const auto json = to_json(sample());
  for (const char* key :
       {"peer", "connected", "path", "relay", "setup_ms", "rtt_ms", "packets_sent", "packets_received", "packets_lost",
        "frames_concealed", "frames_fec_recovered", "jitter_buffer_ms", "bitrate_bps", "mos_estimate"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_EQ(json["peer"], to_user_id(test::test_node_id(5)));
  EXPECT_EQ(json["connected"], true);
  EXPECT_EQ(json["path"], "relay");
  EXPECT_EQ(json["relay"], "198.51.100.11:4000");
  EXPECT_DOUBLE_EQ(json["setup_ms"].get<double>(), 1234.0);
  EXPECT_DOUBLE_EQ(json["rtt_ms"].get<double>(), 40.0);
  EXPECT_EQ(json["packets_lost"], 50);
  EXPECT_DOUBLE_EQ(json["loss_percent"].get<double>(), 5.0);
  EXPECT_DOUBLE_EQ(json["jitter_buffer_ms"].get<double>(), 60.0);
  EXPECT_EQ(json["bitrate_bps"], 24000);
  EXPECT_DOUBLE_EQ(json["mos_estimate"].get<double>(), mos_estimate(sample()));
}

TEST(CallStats, UnknownTimesAreNullInJson) {
  CallStats s;
  const auto json = to_json(s);
  EXPECT_TRUE(json["setup_ms"].is_null());
  EXPECT_TRUE(json["rtt_ms"].is_null());
  EXPECT_EQ(json["path"], "unknown");
  EXPECT_TRUE(json["relay"].is_null());
  EXPECT_TRUE(json["mos_estimate"].is_number());
}

TEST(CallStats, PathNames) {
  EXPECT_EQ(to_string(CallPath::kDirect), "direct");
  EXPECT_EQ(to_string(CallPath::kLan), "lan");
  EXPECT_EQ(to_string(CallPath::kRelay), "relay");
}

}  // namespace
}  // namespace koe
