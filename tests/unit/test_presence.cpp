// PresenceTracker: states and rules (online / away / do not disturb / invisible shows
// offline / offline), changes seen at once, heartbeats, and a crashed contact shown
// offline within 60 s. Time is a ManualClock; two trackers talk through a tiny link.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "app/presence.hpp"
#include "tests/unit/app_test_support.hpp"

namespace koe {
namespace {

using namespace std::chrono_literals;
using test::test_node_id;

const NodeId kSelf = test_node_id(1);
const NodeId kFriend = test_node_id(2);
const NodeId kPending = test_node_id(3);
const NodeId kBlocked = test_node_id(4);

ContactList contacts_with_friend(const NodeId& friend_id) {
  ContactList list;
  list.put({friend_id, ContactState::kAccepted, "", ""});
  return list;
}

std::vector<NodeId> recipients(std::vector<OutgoingControl> out, PresenceState expected) {
  std::vector<NodeId> to;
  for (const auto& o : out) {
    const auto* update = std::get_if<PresenceUpdate>(&o.message);
    EXPECT_NE(update, nullptr);
    if (update != nullptr) {
      EXPECT_EQ(update->state, expected);
    }
    to.push_back(o.to);
  }
  std::sort(to.begin(), to.end());
  return to;
}

class PresenceTest : public ::testing::Test {
 protected:
  PresenceTest() {
    list_.put({kFriend, ContactState::kAccepted, "", ""});
    list_.put({kPending, ContactState::kRequestSent, "", ""});
    list_.put({kBlocked, ContactState::kBlocked, "", ""});
  }
  TimePoint now() const { return clock_.now(); }

  ManualClock clock_{TimePoint{} + 1000s};
  ContactList list_;
  PresenceTracker tracker_{list_};
};

TEST_F(PresenceTest, SigningInAnnouncesToEveryAcceptedContactOnly) {
  EXPECT_EQ(tracker_.announced(), PresenceState::kOffline);
  tracker_.set_own(now(), OwnPresence::kOnline);
  EXPECT_EQ(tracker_.announced(), PresenceState::kOnline);
  EXPECT_EQ(recipients(tracker_.take_outbox(), PresenceState::kOnline), std::vector{kFriend});
}

TEST_F(PresenceTest, EachChoiceIsAnnouncedAsItsState) {
  tracker_.set_own(now(), OwnPresence::kOnline);
  tracker_.on_update(now(), kFriend, PresenceState::kOnline);  // the friend is live
  tracker_.take_outbox();
  const std::pair<OwnPresence, PresenceState> cases[] = {
      {OwnPresence::kAway, PresenceState::kAway},
      {OwnPresence::kDoNotDisturb, PresenceState::kDoNotDisturb},
      {OwnPresence::kInvisible, PresenceState::kOffline},
      {OwnPresence::kOnline, PresenceState::kOnline},
  };
  for (const auto& [own, state] : cases) {
    tracker_.set_own(now(), own);
    EXPECT_EQ(tracker_.announced(), state);
    // Sent at once: contacts see the change as soon as the message arrives.
    EXPECT_EQ(recipients(tracker_.take_outbox(), state), std::vector{kFriend});
  }
  tracker_.set_own(now(), OwnPresence::kOnline);
  EXPECT_TRUE(tracker_.take_outbox().empty()) << "no change, no message";
}

TEST_F(PresenceTest, ContactsUpdatesAreShownAndAnsweredOnceWhenFirstHeard) {
  tracker_.set_own(now(), OwnPresence::kAway);
  tracker_.take_outbox();
  EXPECT_EQ(tracker_.state_of(kFriend), PresenceState::kOffline);

  tracker_.on_update(now(), kFriend, PresenceState::kOnline);
  EXPECT_EQ(tracker_.state_of(kFriend), PresenceState::kOnline);
  auto events = tracker_.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].contact, kFriend);
  EXPECT_EQ(events[0].state, PresenceState::kOnline);
  EXPECT_EQ(recipients(tracker_.take_outbox(), PresenceState::kAway), std::vector{kFriend});

  tracker_.on_update(now(), kFriend, PresenceState::kOnline);
  EXPECT_TRUE(tracker_.take_outbox().empty());
  EXPECT_TRUE(tracker_.take_events().empty()) << "no change, no event";

  tracker_.on_update(now(), kFriend, PresenceState::kDoNotDisturb);
  EXPECT_EQ(tracker_.state_of(kFriend), PresenceState::kDoNotDisturb);
  EXPECT_EQ(tracker_.take_events().size(), 1u);
}

TEST_F(PresenceTest, OnlyAcceptedContactsCount) {
  tracker_.set_own(now(), OwnPresence::kOnline);
  tracker_.take_outbox();
  for (const NodeId& id : {kPending, kBlocked, test_node_id(9)}) {
    tracker_.on_update(now(), id, PresenceState::kOnline);
    EXPECT_EQ(tracker_.state_of(id), PresenceState::kOffline);
    tracker_.on_contact_reachable(now(), id);
  }
  EXPECT_TRUE(tracker_.take_outbox().empty());
  EXPECT_TRUE(tracker_.take_events().empty());
  EXPECT_EQ(tracker_.ignored(), 3u);
}

TEST_F(PresenceTest, AReachableContactLearnsOurPresence) {
  tracker_.on_contact_reachable(now(), kFriend);
  EXPECT_TRUE(tracker_.take_outbox().empty()) << "signed out: nothing to say";
  tracker_.set_own(now(), OwnPresence::kDoNotDisturb);
  tracker_.take_outbox();
  tracker_.on_contact_reachable(now(), kFriend);
  EXPECT_EQ(recipients(tracker_.take_outbox(), PresenceState::kDoNotDisturb), std::vector{kFriend});
}

TEST_F(PresenceTest, AnUnheardContactTurnsOfflineAtExpiry) {
  tracker_.set_own(now(), OwnPresence::kOnline);
  tracker_.on_update(now(), kFriend, PresenceState::kAway);
  tracker_.take_events();
  const TimePoint last_heard = now();
  // Run the timers as a driver would, until the friend shows offline.
  while (tracker_.state_of(kFriend) != PresenceState::kOffline && now() - last_heard < 120s) {
    ASSERT_NE(tracker_.next_timeout(), kNever);
    clock_.set(tracker_.next_timeout());
    tracker_.on_timer(now());
  }
  EXPECT_EQ(tracker_.state_of(kFriend), PresenceState::kOffline);
  EXPECT_EQ(now() - last_heard, PresenceConfig{}.expiry);
  EXPECT_LT(PresenceConfig{}.expiry, 60s);
  auto events = tracker_.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].state, PresenceState::kOffline);
}

TEST_F(PresenceTest, IdleTurnsOnlineIntoAwayAndActivityTurnsItBack) {
  tracker_.set_own(now(), OwnPresence::kOnline);
  tracker_.on_update(now(), kFriend, PresenceState::kOnline);
  tracker_.take_outbox();
  const Duration idle = PresenceConfig{}.idle_away_after;
  // Activity postpones it.
  clock_.advance(idle - 1s);
  tracker_.on_user_activity(now());
  tracker_.on_timer(now());
  EXPECT_EQ(tracker_.announced(), PresenceState::kOnline);

  // Keep the friend live while we idle, and fire timers as a driver would.
  const TimePoint away_at = now() + idle;
  while (now() < away_at) {
    clock_.set(std::min(tracker_.next_timeout(), away_at));
    tracker_.on_update(now(), kFriend, PresenceState::kOnline);
    tracker_.on_timer(now());
  }
  EXPECT_EQ(tracker_.announced(), PresenceState::kAway);
  EXPECT_EQ(tracker_.own(), OwnPresence::kOnline) << "the user's choice is kept";
  auto out = tracker_.take_outbox();
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(std::get<PresenceUpdate>(out.back().message).state, PresenceState::kAway);

  tracker_.on_user_activity(now());
  EXPECT_EQ(tracker_.announced(), PresenceState::kOnline);
  EXPECT_EQ(recipients(tracker_.take_outbox(), PresenceState::kOnline), std::vector{kFriend});
}

TEST_F(PresenceTest, AChosenAwayOrDoNotDisturbNeverChangesByItself) {
  tracker_.set_own(now(), OwnPresence::kDoNotDisturb);
  clock_.advance(PresenceConfig{}.idle_away_after * 2);
  tracker_.on_timer(now());
  tracker_.on_user_activity(now());
  EXPECT_EQ(tracker_.announced(), PresenceState::kDoNotDisturb);
}

TEST_F(PresenceTest, SigningOutTellsLiveContactsAndStopsHeartbeats) {
  tracker_.set_own(now(), OwnPresence::kOnline);
  tracker_.on_update(now(), kFriend, PresenceState::kOnline);
  tracker_.take_outbox();
  tracker_.set_own(now(), OwnPresence::kOffline);
  EXPECT_EQ(recipients(tracker_.take_outbox(), PresenceState::kOffline), std::vector{kFriend});
  clock_.advance(5min);
  tracker_.on_timer(now());
  EXPECT_TRUE(tracker_.take_outbox().empty());
  tracker_.on_update(now(), kFriend, PresenceState::kOnline);
  EXPECT_TRUE(tracker_.take_outbox().empty()) << "a signed-out node does not answer";
}

TEST_F(PresenceTest, AContactRemovedOrBlockedIsNoLongerToldOrShown) {
  tracker_.set_own(now(), OwnPresence::kOnline);
  tracker_.on_update(now(), kFriend, PresenceState::kOnline);
  tracker_.take_outbox();
  tracker_.take_events();
  list_.put({kFriend, ContactState::kBlocked, "", ""});
  EXPECT_EQ(tracker_.state_of(kFriend), PresenceState::kOffline);
  clock_.advance(PresenceConfig{}.heartbeat_interval);
  tracker_.on_timer(now());
  EXPECT_TRUE(tracker_.take_outbox().empty());
  auto events = tracker_.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].state, PresenceState::kOffline);
}

// Two nodes that are each other's contacts, delivering every message at once.
class PresencePair : public ::testing::Test {
 protected:
  struct Node {
    explicit Node(const NodeId& self_id, const NodeId& friend_id)
        : id(self_id), contacts(contacts_with_friend(friend_id)), tracker(contacts) {}
    NodeId id;
    ContactList contacts;
    PresenceTracker tracker;
    bool alive = true;
  };

  void deliver() {
    for (bool moved = true; moved;) {
      moved = false;
      for (auto [from, to] : {std::pair{&a_, &b_}, std::pair{&b_, &a_}}) {
        for (const auto& out : from->tracker.take_outbox()) {
          moved = true;
          if (from->alive && to->alive) {
            to->tracker.on_update(now(), from->id, std::get<PresenceUpdate>(out.message).state);
          }
        }
      }
    }
  }

  // Runs both nodes' timers until `end`, checking `invariant` at every step.
  template <class Check>
  void run_until(TimePoint end, Check invariant) {
    while (now() < end) {
      TimePoint next = end;
      for (Node* n : {&a_, &b_}) {
        if (n->alive) next = std::min(next, n->tracker.next_timeout());
      }
      clock_.set(next);
      for (Node* n : {&a_, &b_}) {
        if (n->alive) n->tracker.on_timer(now());
      }
      deliver();
      invariant();
    }
  }

  TimePoint now() const { return clock_.now(); }

  ManualClock clock_{TimePoint{} + 1000s};
  Node a_{test_node_id(10), test_node_id(11)};
  Node b_{test_node_id(11), test_node_id(10)};
};

TEST_F(PresencePair, BothSeeEachOtherAsLongAsBothRun) {
  a_.tracker.set_own(now(), OwnPresence::kOnline);
  deliver();
  EXPECT_EQ(a_.tracker.state_of(b_.id), PresenceState::kOffline);
  EXPECT_TRUE(b_.tracker.take_outbox().empty()) << "b is signed out: it listens but says nothing";
  b_.tracker.set_own(now(), OwnPresence::kDoNotDisturb);
  deliver();
  EXPECT_EQ(a_.tracker.state_of(b_.id), PresenceState::kDoNotDisturb);
  EXPECT_EQ(b_.tracker.state_of(a_.id), PresenceState::kOnline);

  run_until(now() + 30min, [&] {
    a_.tracker.on_user_activity(now());
    ASSERT_EQ(a_.tracker.state_of(b_.id), PresenceState::kDoNotDisturb);
    ASSERT_EQ(b_.tracker.state_of(a_.id), PresenceState::kOnline);
  });
}

TEST_F(PresencePair, ACrashedNodeShowsOfflineWithinAMinute) {
  a_.tracker.set_own(now(), OwnPresence::kOnline);
  b_.tracker.set_own(now(), OwnPresence::kOnline);
  deliver();
  run_until(now() + 3min, [] {});
  ASSERT_EQ(a_.tracker.state_of(b_.id), PresenceState::kOnline);

  b_.alive = false;  // no goodbye
  const TimePoint crash = now();
  TimePoint shown_offline = kNever;
  run_until(crash + 2min, [&] {
    if (shown_offline == kNever && a_.tracker.state_of(b_.id) == PresenceState::kOffline) shown_offline = now();
  });
  ASSERT_NE(shown_offline, kNever);
  EXPECT_LE(shown_offline - crash, 60s);
}

TEST_F(PresencePair, AnInvisibleNodeLooksOfflineYetKeepsSeeingItsContacts) {
  a_.tracker.set_own(now(), OwnPresence::kInvisible);
  b_.tracker.set_own(now(), OwnPresence::kAway);
  deliver();
  run_until(now() + 10min, [&] {
    ASSERT_EQ(b_.tracker.state_of(a_.id), PresenceState::kOffline);
    ASSERT_EQ(a_.tracker.state_of(b_.id), PresenceState::kAway);
  });
  a_.tracker.set_own(now(), OwnPresence::kOnline);
  deliver();
  EXPECT_EQ(b_.tracker.state_of(a_.id), PresenceState::kOnline);
}

TEST_F(PresencePair, SigningOutIsSeenAtOnce) {
  a_.tracker.set_own(now(), OwnPresence::kOnline);
  b_.tracker.set_own(now(), OwnPresence::kOnline);
  deliver();
  b_.tracker.set_own(now(), OwnPresence::kOffline);
  deliver();
  EXPECT_EQ(a_.tracker.state_of(b_.id), PresenceState::kOffline);
}

}  // namespace
}  // namespace koe
