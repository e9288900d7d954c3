// The supernode election core: one test per rule, on a ManualClock with seeded randomness.
#include <gtest/gtest.h>

#include <vector>

#include "index/election.hpp"
#include "net/random.hpp"

namespace koe {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

ElectionFacts good_facts(TimePoint online_since) {
  ElectionFacts f;
  f.reachable_confirmed = true;
  f.public_or_independent = true;
  f.online_since = online_since;
  f.upstream_kbps = 10000;
  f.cpu_headroom = 0.9;
  return f;
}

// `count` supernodes each at `utilisation` of 200 clients, with `eligible` candidates in all.
std::vector<SupernodeLoad> loads(size_t count, double utilisation, uint32_t eligible = 1) {
  std::vector<SupernodeLoad> v(count);
  for (auto& s : v) {
    s.client_capacity = 200;
    s.clients = static_cast<uint32_t>(utilisation * 200);
  }
  if (!v.empty()) v[0].eligible_clients = eligible;
  return v;
}

class ElectionTest : public ::testing::Test {
 protected:
  ElectionTest() : clock(TimePoint{} + hours(100)) {}

  Election make(ElectionConsent consent = ElectionConsent::kAuto, ElectionRole role = ElectionRole::kClient) {
    return Election(config, random, consent, role, clock.now());
  }
  // Fires timers up to `limit` from now and returns the first event, if any.
  std::optional<ElectionEvent> run_for(Election& e, Duration limit) {
    const TimePoint end = clock.now() + limit;
    for (;;) {
      if (auto ev = e.poll_event()) return ev;
      const TimePoint t = e.next_timeout();
      if (t == kNever || t > end) break;
      clock.set(std::max(t, clock.now()));
      e.on_timer(clock.now());
    }
    clock.set(end);
    return std::nullopt;
  }
  // A node that has been online a day with good facts.
  Election veteran(ElectionConsent consent = ElectionConsent::kAuto, ElectionRole role = ElectionRole::kClient) {
    Election e = make(consent, role);
    e.set_facts(clock.now(), good_facts(clock.now() - hours(24)));
    return e;
  }

  ElectionConfig config;
  SeededRandom random{42};
  ManualClock clock;
};

TEST_F(ElectionTest, PromotesOnHighLoadAfterARandomDelayWithinTheBound) {
  Election e = veteran();
  const TimePoint start = clock.now();
  e.on_load_reports(clock.now(), loads(4, 0.95));
  EXPECT_FALSE(e.poll_event()) << "never at once: the decision waits a random delay";
  const TimePoint at = e.next_timeout();
  EXPECT_GE(at, start);
  EXPECT_LT(at, start + config.max_reaction_delay);
  auto ev = run_for(e, config.max_reaction_delay);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->action, ElectionAction::kPromote);
  EXPECT_EQ(ev->reason, ElectionReason::kLoadHigh);
  EXPECT_EQ(e.role(), ElectionRole::kSupernode);
}

TEST_F(ElectionTest, DelaysDifferBetweenNodes) {
  std::vector<TimePoint> times;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    SeededRandom r(seed);
    Election e(config, r, ElectionConsent::kAuto, ElectionRole::kClient, clock.now());
    e.set_facts(clock.now(), good_facts(clock.now() - hours(24)));
    e.on_load_reports(clock.now(), loads(4, 0.95));
    times.push_back(e.next_timeout());
  }
  std::sort(times.begin(), times.end());
  EXPECT_GT(std::unique(times.begin(), times.end()) - times.begin(), 15);
}

TEST_F(ElectionTest, NoPromotionWithoutConnectBackOrWithAFilteringNat) {
  for (int which = 0; which < 2; ++which) {
    Election e = make();
    ElectionFacts f = good_facts(clock.now() - hours(24));
    (which == 0 ? f.reachable_confirmed : f.public_or_independent) = false;
    e.set_facts(clock.now(), f);
    e.on_load_reports(clock.now(), loads(4, 0.95));
    EXPECT_FALSE(run_for(e, hours(1)));
    EXPECT_EQ(e.role(), ElectionRole::kClient);
  }
}

TEST_F(ElectionTest, UptimeBelowThresholdWaitsUnlessSaturated) {
  Election e = make();
  e.set_facts(clock.now(), good_facts(clock.now() - minutes(10)));
  e.on_load_reports(clock.now(), loads(4, 0.9));
  EXPECT_FALSE(e.eligible(clock.now()));
  EXPECT_FALSE(run_for(e, minutes(30)));
  e.on_load_reports(clock.now(), loads(4, 1.0));  // every known supernode full
  auto ev = run_for(e, config.max_reaction_delay);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->action, ElectionAction::kPromote);
}

TEST_F(ElectionTest, BandwidthAndCpuCapsGateEligibilityAndSizeCapacity) {
  config.max_clients = 1000;
  Election e = veteran();
  EXPECT_TRUE(e.eligible(clock.now()));
  EXPECT_EQ(e.capacity().client_capacity, 1000u);
  e.set_caps(clock.now(), VolunteerCaps{1200, 0});
  EXPECT_TRUE(e.eligible(clock.now()));
  EXPECT_EQ(e.capacity().client_capacity, 300u) << "half of 1200 kbps at 2 kbps a client";
  EXPECT_DOUBLE_EQ(e.capacity().upstream_capacity_kbps, 1200);
  e.set_caps(clock.now(), VolunteerCaps{500, 0});
  EXPECT_FALSE(e.eligible(clock.now())) << "a cap below the bandwidth threshold";
  e.set_caps(clock.now(), VolunteerCaps{0, 0.2});
  EXPECT_FALSE(e.eligible(clock.now())) << "a CPU cap below the headroom threshold";
}

TEST_F(ElectionTest, ConsentNeverBlocksPromotionAndDrainsASupernode) {
  Election client = veteran(ElectionConsent::kDisabled);
  client.on_load_reports(clock.now(), loads(4, 1.0));
  EXPECT_FALSE(run_for(client, hours(1)));

  Election super = veteran(ElectionConsent::kAuto, ElectionRole::kSupernode);
  super.set_consent(clock.now(), ElectionConsent::kDisabled);
  auto ev = super.poll_event();
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->action, ElectionAction::kStartHandover);
  EXPECT_EQ(ev->reason, ElectionReason::kConsentNever);
}

TEST_F(ElectionTest, ConsentAlwaysPromotesAtOnceWhenReachable) {
  Election e = make(ElectionConsent::kAlways);
  ElectionFacts f = good_facts(clock.now());  // just started, slow line
  f.upstream_kbps = 100;
  e.set_facts(clock.now(), f);
  auto ev = e.poll_event();
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->action, ElectionAction::kPromote);
  EXPECT_EQ(ev->reason, ElectionReason::kConsentAlways);
  e.on_load_reports(clock.now(), loads(4, 0.0));
  EXPECT_FALSE(run_for(e, hours(48))) << "an always-volunteer does not demote on low load";
}

TEST_F(ElectionTest, HysteresisBandCausesNothing) {
  Election client = veteran();
  Election super = veteran(ElectionConsent::kAuto, ElectionRole::kSupernode);
  clock.advance(hours(48));
  for (double u : {config.low_water + 0.01, 0.55, config.high_water}) {
    client.on_load_reports(clock.now(), loads(4, u));
    super.on_load_reports(clock.now(), loads(4, u));
    EXPECT_EQ(client.next_timeout(), kNever) << u;
    EXPECT_EQ(super.next_timeout(), kNever) << u;
  }
}

TEST_F(ElectionTest, RecheckCancelsWhenLoadFellMeanwhile) {
  Election e = veteran();
  e.on_load_reports(clock.now(), loads(4, 0.95));
  ASSERT_NE(e.next_timeout(), kNever);
  e.on_load_reports(clock.now(), loads(5, 0.7));  // another node promoted first
  EXPECT_EQ(e.next_timeout(), kNever);
  EXPECT_FALSE(run_for(e, hours(1)));
}

TEST_F(ElectionTest, PromotionShareScalesWithCandidates) {
  // 10 supernodes at 0.9 with 100 candidates: each promotes with p = 0.5 * 10 * (0.9 / 0.55 - 1) / 100.
  int promoted = 0;
  const int nodes = 2000;
  for (int i = 0; i < nodes; ++i) {
    SeededRandom r(static_cast<uint64_t>(i) + 1000);
    Election e(config, r, ElectionConsent::kAuto, ElectionRole::kClient, clock.now());
    e.set_facts(clock.now(), good_facts(clock.now() - hours(24)));
    e.on_load_reports(clock.now(), loads(10, 0.9, 100));
    clock.set(e.next_timeout());
    e.on_timer(clock.now());
    if (auto ev = e.poll_event()) promoted += ev->action == ElectionAction::kPromote;
  }
  const double expected = nodes * 0.5 * 10 * (0.9 / 0.55 - 1) / 100;  // about 32
  EXPECT_GT(promoted, expected / 2);
  EXPECT_LT(promoted, expected * 2);
}

TEST_F(ElectionTest, ANodeStartedAsSupernodeKeepsTheRoleForTheMinimumTime) {
  Election e = veteran(ElectionConsent::kAuto, ElectionRole::kSupernode);
  e.on_load_reports(clock.now(), loads(4, 0.05));
  EXPECT_FALSE(run_for(e, hours(23))) << "a new network's first supernode stays despite low load";
  clock.advance(hours(1));
  e.on_load_reports(clock.now(), loads(4, 0.05));
  auto ev = run_for(e, hours(2));
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->reason, ElectionReason::kLoadLow);
}

TEST_F(ElectionTest, MinimumTimeInRoleHoldsBothWays) {
  Election e = veteran();
  e.on_load_reports(clock.now(), loads(4, 0.95));
  ASSERT_TRUE(run_for(e, config.max_reaction_delay));
  const TimePoint promoted_at = clock.now();
  e.on_load_reports(clock.now(), loads(4, 0.05));
  EXPECT_FALSE(run_for(e, hours(23))) << "no demotion within a day of the promotion";
  clock.set(promoted_at + config.min_role_time);
  e.on_load_reports(clock.now(), loads(4, 0.05));
  auto ev = run_for(e, hours(2));
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->action, ElectionAction::kStartHandover);
  EXPECT_EQ(ev->reason, ElectionReason::kLoadLow);
  e.on_handover_progress(clock.now(), 0);
  ASSERT_TRUE(e.poll_event());
  EXPECT_EQ(e.role(), ElectionRole::kClient);
  const TimePoint demoted_at = clock.now();
  e.on_load_reports(clock.now(), loads(4, 1.0));
  EXPECT_FALSE(run_for(e, hours(23))) << "no promotion within a day of the demotion";
  clock.set(demoted_at + config.min_role_time);
  e.on_load_reports(clock.now(), loads(4, 1.0));
  ev = run_for(e, config.max_reaction_delay);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->action, ElectionAction::kPromote);
}

TEST_F(ElectionTest, DemotionWaitsForTheHandover) {
  Election e = veteran(ElectionConsent::kAuto, ElectionRole::kSupernode);
  e.set_consent(clock.now(), ElectionConsent::kDisabled);
  ASSERT_EQ(e.poll_event()->action, ElectionAction::kStartHandover);
  EXPECT_TRUE(e.draining());
  EXPECT_EQ(e.role(), ElectionRole::kSupernode) << "still serving while clients move";
  e.on_handover_progress(clock.now(), 12);
  EXPECT_FALSE(e.poll_event());
  e.on_handover_progress(clock.now(), 0);
  auto ev = e.poll_event();
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->action, ElectionAction::kDemote);
  EXPECT_EQ(e.role(), ElectionRole::kClient);
}

TEST_F(ElectionTest, DemotionCompletesWhenTheHandoverTimesOut) {
  Election e = veteran(ElectionConsent::kAuto, ElectionRole::kSupernode);
  ElectionFacts f = good_facts(clock.now() - hours(24));
  f.reachable_confirmed = false;  // the connect-back now fails
  e.set_facts(clock.now(), f);
  ASSERT_EQ(e.poll_event()->reason, ElectionReason::kNotEligible);
  const TimePoint start = clock.now();
  auto ev = run_for(e, seconds(10));
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->action, ElectionAction::kDemote);
  EXPECT_EQ(clock.now(), start + config.handover_timeout);
}

TEST_F(ElectionTest, FirstNodeOfANetworkBootstrapsIt) {
  Election e = make();
  e.set_facts(clock.now(), good_facts(clock.now()));  // young: bootstrap needs no uptime
  e.on_load_reports(clock.now(), {});
  EXPECT_FALSE(e.poll_event());
  const TimePoint start = clock.now();
  auto ev = run_for(e, 2 * config.bootstrap_wait);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->reason, ElectionReason::kBootstrap);
  EXPECT_GE(clock.now(), start + config.bootstrap_wait);
}

TEST_F(ElectionTest, NoBootstrapOnceASupernodeIsHeardOf) {
  Election e = make();
  e.set_facts(clock.now(), good_facts(clock.now()));
  e.on_load_reports(clock.now(), {});
  clock.advance(config.bootstrap_wait / 2);
  e.on_load_reports(clock.now(), loads(1, 0.1));
  EXPECT_FALSE(run_for(e, hours(1)));
}

}  // namespace
}  // namespace koe
