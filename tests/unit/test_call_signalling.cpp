// CallSignalling: scripted call scenarios between real cores on a small virtual network
// (ManualClock; every message goes through the codec): answer, decline, cancel, no
// answer, hang-up from either side, unreachable and vanished peers, outages, who may
// call, busy, do not disturb, simultaneous calls and stale or forged messages.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <memory>

#include "app/call_signalling.hpp"

#include <map>
#include <optional>
#include "net/random.hpp"
#include "tests/unit/app_test_support.hpp"

namespace koe {
namespace {

using namespace std::chrono_literals;
using test::test_node_id;

struct TimedEvent {
  TimePoint at;
  CallEvent event;
};

struct Node {
  Node(uint8_t n, CallSignallingConfig config) : id(test_node_id(n)), random(n), calls(random, contacts, id, config) {}
  NodeId id;
  ContactList contacts;
  SeededRandom random;
  CallSignalling calls;
  std::vector<TimedEvent> events;
  bool alive = true;

  void befriend(const Node& other) { contacts.put({other.id, ContactState::kAccepted, "", ""}); }
  std::vector<CallEvent::Kind> kinds() const {
    std::vector<CallEvent::Kind> k;
    for (const auto& e : events) k.push_back(e.event.kind);
    return k;
  }
  // The last kEnded event, if any.
  const TimedEvent* ended() const {
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (it->event.kind == CallEvent::Kind::kEnded) return &*it;
    }
    return nullptr;
  }
  std::optional<CallEndReason> end_reason() const {
    const TimedEvent* e = ended();
    return e ? std::optional(e->event.reason) : std::nullopt;
  }
};

// Nodes joined by a reliable, ordered channel with a fixed one-way delay (ENet's
// reliable channel): an outage delays messages until it ends; a crashed node drops
// everything and its timers stop.
class CallWorld {
 public:
  explicit CallWorld(CallSignallingConfig config = {}) : config_(config) {}

  Node& add(uint8_t n) {
    nodes_.push_back(std::make_unique<Node>(n, config_));
    return *nodes_.back();
  }
  TimePoint now() const { return clock_.now(); }
  void set_delay(Duration one_way) { delay_ = one_way; }
  // Each transmission is lost with probability `loss`; as ENet's reliable channel
  // does, the sender retransmits after a timeout that doubles (200 ms, 400 ms, ...),
  // and later messages between the same two nodes wait for earlier ones.
  void set_loss(double loss, uint64_t seed) {
    loss_ = loss;
    loss_random_.emplace(seed);
  }
  void outage_until(TimePoint end) { outage_end_ = end; }

  // Runs until `end`, or until `done` holds after a step; returns whether it held.
  bool run_until(
      TimePoint end, const std::function<bool()>& done = [] { return false; }) {
    constexpr int kMaxSteps = 1'000'000;  // a core whose timer never moves on would spin
    pump();
    for (int step = 0; step < kMaxSteps; ++step) {
      if (done()) return true;
      TimePoint next = kNever;
      for (const auto& n : nodes_) {
        if (n->alive) next = std::min(next, n->calls.next_timeout());
      }
      for (const auto& m : in_flight_) next = std::min(next, m.at);
      if (next > end) {
        clock_.set(std::max(now(), end));
        return done();
      }
      clock_.set(std::max(next, now()));
      deliver_due();
      for (const auto& n : nodes_) {
        if (n->alive && n->calls.next_timeout() <= now()) n->calls.on_timer(now());
      }
      pump();
    }
    ADD_FAILURE() << "the simulation did not settle";
    return false;
  }
  bool run_for(Duration d) { return run_until(now() + d); }
  // Lets every message in flight arrive.
  void settle() { run_for(1s); }

 private:
  struct InFlight {
    TimePoint at;
    Node* from;
    Node* to;
    Bytes bytes;
  };

  Node* find(const NodeId& id) {
    for (const auto& n : nodes_) {
      if (n->id == id) return n.get();
    }
    return nullptr;
  }

  void pump() {
    for (const auto& n : nodes_) {
      for (auto& out : n->calls.take_outbox()) {
        auto bytes = encode_control_message(out.message);
        ASSERT_TRUE(bytes.has_value());
        Node* to = find(out.to);
        if (!n->alive || to == nullptr) continue;
        TimePoint at = std::max(now() + delay_, outage_end_ + delay_) + retransmission_delay();
        TimePoint& last = last_delivery_[{n.get(), to}];
        at = std::max(at, last);
        last = at;
        in_flight_.push_back({at, n.get(), to, std::move(*bytes)});
      }
      for (auto& e : n->calls.take_events()) n->events.push_back({now(), e});
    }
  }

  Duration retransmission_delay() {
    Duration extra{0};
    Duration timeout = 200ms;
    while (loss_random_ && loss_random_->uniform(1'000'000) < static_cast<uint64_t>(loss_ * 1e6)) {
      extra += timeout;
      timeout *= 2;
    }
    return extra;
  }

  void deliver_due() {
    // Stable: messages between two nodes keep their order, as on ENet's reliable channel.
    std::stable_sort(in_flight_.begin(), in_flight_.end(),
                     [](const InFlight& a, const InFlight& b) { return a.at < b.at; });
    while (!in_flight_.empty() && in_flight_.front().at <= now()) {
      InFlight m = std::move(in_flight_.front());
      in_flight_.erase(in_flight_.begin());
      if (!m.from->alive || !m.to->alive) continue;
      auto decoded = decode_control_message(m.bytes);
      ASSERT_TRUE(decoded.ok());
      EXPECT_TRUE(m.to->calls.on_message(now(), m.from->id, *decoded));
      pump();
    }
  }

  CallSignallingConfig config_;
  ManualClock clock_{TimePoint{} + 1000s};
  Duration delay_ = 20ms;
  TimePoint outage_end_{};
  double loss_ = 0;
  std::optional<SeededRandom> loss_random_;
  std::map<std::pair<Node*, Node*>, TimePoint> last_delivery_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::deque<InFlight> in_flight_;
};

using Kind = CallEvent::Kind;

class CallTest : public ::testing::Test {
 protected:
  CallTest() {
    alice_.befriend(bob_);
    bob_.befriend(alice_);
  }
  // Alice calls Bob and Bob answers after `ring`; returns the call ID.
  CallId connect(Duration ring = 3s) {
    auto id = alice_.calls.start_call(world_.now(), bob_.id);
    EXPECT_TRUE(id);
    world_.run_for(ring);
    EXPECT_TRUE(bob_.calls.accept(world_.now(), *id));
    world_.settle();
    EXPECT_EQ(alice_.kinds(), (std::vector{Kind::kPeerRinging, Kind::kConnected}));
    EXPECT_EQ(bob_.kinds(), (std::vector{Kind::kIncoming, Kind::kConnected}));
    return *id;
  }

  CallWorld world_;
  Node& alice_ = world_.add(1);
  Node& bob_ = world_.add(2);
};

TEST_F(CallTest, AnsweredCallConnectsBothSidesAndMeasuresSetupAndRoundTrip) {
  const TimePoint dialled = world_.now();
  const CallId id = connect(3s);
  const CallInfo* a = alice_.calls.call();
  const CallInfo* b = bob_.calls.call();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->id, id);
  EXPECT_EQ(b->id, id);
  EXPECT_EQ(a->state, CallState::kActive);
  EXPECT_EQ(b->direction, CallDirection::kIncoming);
  EXPECT_EQ(b->peer, alice_.id);
  // Bob answered 3 s after the dial; Alice heard it one 20 ms hop later.
  ASSERT_TRUE(a->answered);
  EXPECT_EQ(*a->answered - a->started, 3s + 20ms);
  EXPECT_EQ(a->started, dialled);

  world_.run_for(10s);  // pings flow
  ASSERT_TRUE(alice_.calls.call() && alice_.calls.call()->rtt);
  EXPECT_EQ(*alice_.calls.call()->rtt, 40ms);
  EXPECT_EQ(*bob_.calls.call()->rtt, 40ms);
}

TEST_F(CallTest, CallerHangsUp) {
  const CallId id = connect();
  ASSERT_TRUE(alice_.calls.hang_up(world_.now(), id));
  world_.settle();
  EXPECT_EQ(alice_.end_reason(), CallEndReason::kHungUp);
  EXPECT_EQ(bob_.end_reason(), CallEndReason::kPeerHungUp);
  EXPECT_EQ(alice_.calls.call(), nullptr);
  EXPECT_EQ(bob_.calls.call(), nullptr);
  EXPECT_EQ(world_.run_for(2min), false);
  EXPECT_EQ(alice_.events.size(), 3u) << "nothing happens after the end";
}

TEST_F(CallTest, CalleeHangsUp) {
  const CallId id = connect();
  world_.run_for(30s);
  ASSERT_TRUE(bob_.calls.hang_up(world_.now(), id));
  world_.settle();
  EXPECT_EQ(bob_.end_reason(), CallEndReason::kHungUp);
  EXPECT_EQ(alice_.end_reason(), CallEndReason::kPeerHungUp);
}

TEST_F(CallTest, CalleeDeclines) {
  auto id = alice_.calls.start_call(world_.now(), bob_.id);
  world_.run_for(2s);
  EXPECT_EQ(alice_.calls.call()->state, CallState::kRinging);
  ASSERT_TRUE(bob_.calls.decline(world_.now(), *id));
  world_.settle();
  EXPECT_EQ(bob_.end_reason(), CallEndReason::kDeclined);
  EXPECT_EQ(alice_.end_reason(), CallEndReason::kPeerDeclined);
  EXPECT_FALSE(bob_.calls.accept(world_.now(), *id)) << "gone";
}

TEST_F(CallTest, CallerCancelsWhileItRings) {
  auto id = alice_.calls.start_call(world_.now(), bob_.id);
  world_.run_for(5s);
  ASSERT_TRUE(alice_.calls.hang_up(world_.now(), *id));
  world_.settle();
  EXPECT_EQ(alice_.end_reason(), CallEndReason::kCancelled);
  EXPECT_EQ(bob_.end_reason(), CallEndReason::kPeerCancelled);
}

TEST_F(CallTest, NobodyAnswersWithinTheTimeout) {
  const TimePoint dialled = world_.now();
  ASSERT_TRUE(alice_.calls.start_call(world_.now(), bob_.id));
  world_.run_for(2min);
  ASSERT_TRUE(alice_.ended());
  EXPECT_EQ(alice_.end_reason(), CallEndReason::kNoAnswer);
  EXPECT_EQ(alice_.ended()->at - dialled, CallSignallingConfig{}.no_answer_timeout);
  // The callee stops ringing when the caller's cancel arrives: a missed call.
  EXPECT_EQ(bob_.end_reason(), CallEndReason::kPeerCancelled);
  EXPECT_EQ(bob_.ended()->at - dialled, CallSignallingConfig{}.no_answer_timeout + 20ms);
}

TEST_F(CallTest, AnInviteIntoTheVoidIsUnreachable) {
  bob_.alive = false;
  const TimePoint dialled = world_.now();
  ASSERT_TRUE(alice_.calls.start_call(world_.now(), bob_.id));
  world_.run_for(1min);
  EXPECT_EQ(alice_.kinds(), std::vector{Kind::kEnded});
  EXPECT_EQ(alice_.end_reason(), CallEndReason::kUnreachable);
  EXPECT_EQ(alice_.ended()->at - dialled, CallSignallingConfig{}.reach_timeout);
}

TEST_F(CallTest, AnInviteLostWithItsLinkIsSaidAgainWhenTheLinkIsBack) {
  bob_.alive = false;  // the invite goes into a link that then fails
  ASSERT_TRUE(alice_.calls.start_call(world_.now(), bob_.id));
  world_.run_for(2s);
  alice_.calls.on_link_up(bob_.id);
  world_.run_for(1s);
  EXPECT_TRUE(alice_.events.empty()) << "a link that never failed repeats nothing";
  bob_.alive = true;
  alice_.calls.on_link_down(bob_.id);
  alice_.calls.on_link_up(bob_.id);
  ASSERT_TRUE(world_.run_until(world_.now() + 1s, [&] { return alice_.calls.call()->state == CallState::kRinging; }));
  ASSERT_TRUE(bob_.calls.accept(world_.now(), alice_.calls.call()->id));
  world_.settle();
  EXPECT_EQ(alice_.kinds(), (std::vector{Kind::kPeerRinging, Kind::kConnected}));
  EXPECT_EQ(bob_.kinds(), (std::vector{Kind::kIncoming, Kind::kConnected}));
}

TEST_F(CallTest, ARepeatedInviteIsAnsweredWithTheCallsState) {
  auto id = alice_.calls.start_call(world_.now(), bob_.id);
  world_.settle();
  ASSERT_TRUE(bob_.calls.on_message(world_.now(), alice_.id, CallInvite{*id}));
  auto out = bob_.calls.take_outbox();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<CallRinging>(out[0].message));
  ASSERT_TRUE(bob_.calls.accept(world_.now(), *id));
  world_.settle();
  ASSERT_TRUE(bob_.calls.on_message(world_.now(), alice_.id, CallInvite{*id}));
  out = bob_.calls.take_outbox();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<CallAccept>(out[0].message));
  EXPECT_EQ(bob_.kinds(), (std::vector{Kind::kIncoming, Kind::kConnected})) << "rings once";
}

TEST_F(CallTest, APeerThatVanishesMidCallEndsItWithinTenSeconds) {
  connect();
  world_.run_for(1min);
  bob_.alive = false;  // crashed: no hang-up, nothing more from it
  const TimePoint vanished = world_.now();
  ASSERT_TRUE(world_.run_until(vanished + 1min, [&] { return alice_.ended() != nullptr; }));
  EXPECT_EQ(alice_.end_reason(), CallEndReason::kPeerVanished);
  EXPECT_LE(alice_.ended()->at - vanished, 10s);
}

TEST_F(CallTest, ACallerThatVanishesWhileItRingsStopsTheRinging) {
  ASSERT_TRUE(alice_.calls.start_call(world_.now(), bob_.id));
  world_.run_for(4s);
  alice_.alive = false;
  const TimePoint vanished = world_.now();
  ASSERT_TRUE(world_.run_until(vanished + 1min, [&] { return bob_.ended() != nullptr; }));
  EXPECT_EQ(bob_.end_reason(), CallEndReason::kPeerVanished);
  EXPECT_LE(bob_.ended()->at - vanished, 10s);
}

TEST_F(CallTest, VoicePacketsAloneKeepACallAlive) {
  connect();
  // Pings are delayed by a long outage, but voice keeps arriving (as it would on the
  // unreliable channel): the call lives on.
  world_.outage_until(world_.now() + 30s);
  const TimePoint end = world_.now() + 30s;
  while (world_.now() < end) {
    world_.run_for(1s);
    alice_.calls.on_peer_activity(world_.now(), bob_.id);
    bob_.calls.on_peer_activity(world_.now(), alice_.id);
  }
  EXPECT_FALSE(alice_.ended());
  EXPECT_FALSE(bob_.ended());
}

TEST_F(CallTest, AShortOutageIsSurvivedAndALongOneEndsTheCall) {
  connect();
  world_.outage_until(world_.now() + 5s);  // messages are held and then arrive (ENet resends)
  world_.run_for(1min);
  EXPECT_FALSE(alice_.ended());
  EXPECT_FALSE(bob_.ended());

  const TimePoint outage = world_.now();
  world_.outage_until(outage + 20s);
  world_.run_for(1min);
  ASSERT_TRUE(alice_.ended() && bob_.ended());
  EXPECT_EQ(alice_.end_reason(), CallEndReason::kPeerVanished);
  EXPECT_EQ(bob_.end_reason(), CallEndReason::kPeerVanished);
  EXPECT_LE(alice_.ended()->at - outage, 10s);
  EXPECT_LE(bob_.ended()->at - outage, 10s);
}

TEST_F(CallTest, OnlyContactsMayCallByDefault) {
  Node& carol = world_.add(3);  // not Bob's contact
  ASSERT_TRUE(carol.calls.start_call(world_.now(), bob_.id));
  world_.settle();
  EXPECT_EQ(carol.end_reason(), CallEndReason::kNotAllowed);
  ASSERT_EQ(bob_.events.size(), 1u);
  EXPECT_EQ(bob_.events[0].event.kind, Kind::kRejected);
  EXPECT_EQ(bob_.events[0].event.reason, CallEndReason::kNotAllowed);
  EXPECT_EQ(bob_.events[0].event.peer, carol.id);
  EXPECT_EQ(bob_.calls.call(), nullptr);

  bob_.calls.set_accept_from_anyone(true);
  ASSERT_TRUE(carol.calls.start_call(world_.now(), bob_.id));
  world_.settle();
  EXPECT_EQ(bob_.events.back().event.kind, Kind::kIncoming);
  EXPECT_EQ(carol.calls.call()->state, CallState::kRinging);
}

TEST_F(CallTest, ABlockedIdCannotCallEvenWhenAnyoneMay) {
  bob_.contacts.put({alice_.id, ContactState::kBlocked, "", ""});
  bob_.calls.set_accept_from_anyone(true);
  ASSERT_TRUE(alice_.calls.start_call(world_.now(), bob_.id));
  world_.settle();
  EXPECT_EQ(alice_.end_reason(), CallEndReason::kNotAllowed) << "told no more than a stranger";
  EXPECT_TRUE(bob_.events.empty()) << "a blocked caller never bothers the user";
  // Nor can Bob call whom he blocked.
  auto call = bob_.calls.start_call(world_.now(), alice_.id);
  ASSERT_FALSE(call);
  EXPECT_EQ(call.error(), StartCallError::kBlocked);
}

TEST_F(CallTest, ASecondCallerGetsBusy) {
  const CallId first = connect();
  Node& carol = world_.add(3);
  carol.befriend(bob_);
  bob_.befriend(carol);
  ASSERT_TRUE(carol.calls.start_call(world_.now(), bob_.id));
  world_.settle();
  EXPECT_EQ(carol.end_reason(), CallEndReason::kBusy);
  EXPECT_EQ(bob_.events.back().event.kind, Kind::kRejected);
  EXPECT_EQ(bob_.events.back().event.reason, CallEndReason::kBusy);
  ASSERT_NE(bob_.calls.call(), nullptr);
  EXPECT_EQ(bob_.calls.call()->id, first) << "the first call goes on";
  EXPECT_EQ(bob_.calls.call()->state, CallState::kActive);
  // Also while the first call is still ringing.
  ASSERT_TRUE(bob_.calls.hang_up(world_.now(), first));
  world_.settle();
  auto ringing = alice_.calls.start_call(world_.now(), bob_.id);
  world_.settle();
  ASSERT_TRUE(carol.calls.start_call(world_.now(), bob_.id));
  world_.settle();
  EXPECT_EQ(carol.end_reason(), CallEndReason::kBusy);
  EXPECT_EQ(bob_.calls.call()->id, *ringing);
}

TEST_F(CallTest, DoNotDisturbDeclinesWithoutRinging) {
  bob_.calls.set_do_not_disturb(true);
  ASSERT_TRUE(alice_.calls.start_call(world_.now(), bob_.id));
  world_.settle();
  EXPECT_EQ(alice_.end_reason(), CallEndReason::kDoNotDisturb);
  EXPECT_EQ(bob_.kinds(), std::vector{Kind::kRejected});
}

TEST_F(CallTest, CallingEachOtherAtOnceGivesOneConnectedCall) {
  auto a = alice_.calls.start_call(world_.now(), bob_.id);
  auto b = bob_.calls.start_call(world_.now(), alice_.id);
  ASSERT_TRUE(a && b);
  ASSERT_NE(*a, *b);
  world_.settle();
  ASSERT_NE(alice_.calls.call(), nullptr);
  ASSERT_NE(bob_.calls.call(), nullptr);
  EXPECT_EQ(alice_.calls.call()->id, std::max(*a, *b));
  EXPECT_EQ(bob_.calls.call()->id, std::max(*a, *b));
  EXPECT_EQ(alice_.calls.call()->state, CallState::kActive);
  EXPECT_EQ(bob_.calls.call()->state, CallState::kActive);
  // The side whose call lost saw it replaced; neither saw busy.
  Node& loser = *a < *b ? alice_ : bob_;
  EXPECT_EQ(loser.kinds(), (std::vector{Kind::kEnded, Kind::kConnected}));
  EXPECT_EQ(loser.events[0].event.reason, CallEndReason::kReplaced);
  world_.run_for(1min);
  EXPECT_EQ(alice_.calls.call()->state, CallState::kActive);
}

TEST_F(CallTest, StartCallRefusesWhileBusyAndOurOwnId) {
  connect();
  auto again = alice_.calls.start_call(world_.now(), bob_.id);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), StartCallError::kBusy);
  CallWorld other;
  Node& solo = other.add(9);
  EXPECT_EQ(solo.calls.start_call(other.now(), solo.id).error(), StartCallError::kSelf);
}

TEST_F(CallTest, CommandsOnTheWrongCallDoNothing) {
  const CallId id = connect();
  EXPECT_FALSE(alice_.calls.hang_up(world_.now(), id + 1));
  EXPECT_FALSE(alice_.calls.accept(world_.now(), id)) << "the caller cannot accept its own call";
  EXPECT_FALSE(bob_.calls.accept(world_.now(), id)) << "already accepted";
  EXPECT_FALSE(bob_.calls.decline(world_.now(), id)) << "too late to decline";
  world_.settle();
  EXPECT_EQ(alice_.calls.call()->state, CallState::kActive);
}

TEST_F(CallTest, AThirdPartyCannotEndOrJoinSomeoneElsesCall) {
  const CallId id = connect();
  Node& mallory = world_.add(6);
  const TimePoint t = world_.now();
  // Forged from the wrong peer (the session authenticates who sent it), with the right call ID.
  EXPECT_TRUE(bob_.calls.on_message(t, mallory.id, CallHangup{id}));
  EXPECT_TRUE(bob_.calls.on_message(t, mallory.id, CallCancel{id}));
  EXPECT_TRUE(alice_.calls.on_message(t, mallory.id, CallDecline{id, DeclineReason::kDeclined}));
  EXPECT_TRUE(alice_.calls.on_message(t, mallory.id, CallAccept{id}));
  EXPECT_EQ(bob_.calls.call()->state, CallState::kActive);
  EXPECT_EQ(alice_.calls.call()->state, CallState::kActive);
  EXPECT_EQ(bob_.calls.ignored() + alice_.calls.ignored(), 4u);
  // Mallory is told there is no such call with her; nothing else is sent.
  auto out = alice_.calls.take_outbox();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to, mallory.id);
  EXPECT_EQ(out[0].message, ControlMessage(CallHangup{id}));
  EXPECT_TRUE(bob_.calls.take_outbox().empty());
}

TEST_F(CallTest, AStaleCallIsEndedByThePeerThatForgotIt) {
  connect();
  // Bob restarts: a fresh core that knows no call, while Alice still pings.
  CallSignalling fresh(bob_.random, bob_.contacts, bob_.id);
  const CallId id = alice_.calls.call()->id;
  EXPECT_TRUE(fresh.on_message(world_.now(), alice_.id, Ping{id, 1}));
  auto out = fresh.take_outbox();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].message, ControlMessage(CallHangup{id}));
  // Ending messages about unknown calls are not answered (no ping-pong of hang-ups).
  EXPECT_TRUE(fresh.on_message(world_.now(), alice_.id, CallHangup{id}));
  EXPECT_TRUE(fresh.on_message(world_.now(), alice_.id, CallBusy{id}));
  EXPECT_TRUE(fresh.take_outbox().empty());
  // Delivered to Alice, the hang-up ends her half of the call.
  alice_.calls.on_message(world_.now(), bob_.id, out[0].message);
  EXPECT_EQ(alice_.calls.call(), nullptr);
}

TEST_F(CallTest, NonCallMessagesAreLeftToOtherCores) {
  EXPECT_FALSE(alice_.calls.on_message(world_.now(), bob_.id, PresenceUpdate{PresenceState::kOnline}));
  EXPECT_FALSE(alice_.calls.on_message(world_.now(), bob_.id, ContactRequest{"", ""}));
  EXPECT_FALSE(alice_.calls.on_message(world_.now(), bob_.id, ReceiverReport{}));
}

TEST_F(CallTest, IdleCoreHasNoTimers) {
  EXPECT_EQ(alice_.calls.next_timeout(), kNever);
  const CallId id = connect();
  EXPECT_NE(alice_.calls.next_timeout(), kNever);
  alice_.calls.hang_up(world_.now(), id);
  EXPECT_EQ(alice_.calls.next_timeout(), kNever);
}

// Scenario: many calls over a lossy link (the reliable channel retransmits): every
// call connects on both sides and ends with matching reasons, whoever hangs up.
void run_lossy_calls(double loss, uint64_t seed) {
  CallWorld world;
  world.set_loss(loss, seed);
  Node& alice = world.add(1);
  Node& bob = world.add(2);
  alice.befriend(bob);
  bob.befriend(alice);
  SeededRandom random(seed);
  constexpr int kCalls = 100;
  int connected = 0;
  for (int i = 0; i < kCalls; ++i) {
    alice.events.clear();
    bob.events.clear();
    auto id = alice.calls.start_call(world.now(), bob.id);
    ASSERT_TRUE(id);
    ASSERT_TRUE(world.run_until(world.now() + 60s, [&] { return bob.calls.call() != nullptr; })) << "call " << i;
    world.run_for(500ms);
    ASSERT_TRUE(bob.calls.accept(world.now(), *id)) << "call " << i;
    ASSERT_TRUE(world.run_until(world.now() + 60s, [&] {
      return alice.calls.call() && alice.calls.call()->state == CallState::kActive;
    })) << "call " << i;
    ++connected;
    world.run_for(std::chrono::seconds(2 + random.uniform(8)));
    Node& ender = random.uniform(2) == 0 ? alice : bob;
    Node& other = &ender == &alice ? bob : alice;
    ASSERT_TRUE(ender.calls.hang_up(world.now(), *id));
    ASSERT_TRUE(world.run_until(world.now() + 60s, [&] { return other.end_reason().has_value(); })) << "call " << i;
    EXPECT_EQ(ender.end_reason(), CallEndReason::kHungUp) << "call " << i;
    EXPECT_EQ(other.end_reason(), CallEndReason::kPeerHungUp) << "call " << i;
    world.settle();
  }
  EXPECT_EQ(connected, kCalls);
}

TEST(CallSignallingScenario, HundredCallsAtFivePercentLoss) { run_lossy_calls(0.05, 5); }
TEST(CallSignallingScenario, HundredCallsAtTwentyPercentLoss) { run_lossy_calls(0.20, 20); }

TEST(CallSignallingNames, EveryEndReasonHasAName) {
  for (int r = 0; r <= static_cast<int>(CallEndReason::kReplaced); ++r) {
    EXPECT_NE(to_string(static_cast<CallEndReason>(r)), "unknown") << r;
  }
}

}  // namespace
}  // namespace koe
