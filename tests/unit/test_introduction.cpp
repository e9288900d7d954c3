// Introductions: sealed to the recipient and signed by the sender, so the supernode
// carrying them can neither read nor forge them; stale or misaddressed ones are refused.
#include "app/introduction.hpp"

#include <gtest/gtest.h>

#include "net/random.hpp"

namespace koe {
namespace {

constexpr uint64_t kNow = 1'900'000'000;

struct Parties : ::testing::Test {
  SeededRandom random{7};
  Identity alice = Identity::generate(random);
  Identity bob = Identity::generate(random);
  Identity carol = Identity::generate(random);

  static Introduction offer() {
    Introduction i;
    i.kind = IntroductionKind::kOffer;
    i.attempt = 42;
    PunchOffer o;
    o.secret.fill(3);
    o.candidates = {{CandidateKind::kLan, Endpoint{Endpoint::make_ip(192, 168, 1, 5), 40000}},
                    {CandidateKind::kReflexive, Endpoint{Endpoint::make_ip(203, 0, 113, 5), 51000}}};
    i.offer = o;
    return i;
  }
  static Introduction relay() {
    Introduction i;
    i.kind = IntroductionKind::kRelay;
    i.attempt = 42;
    RelayTicket t;
    t.relay = Endpoint{Endpoint::make_ip(198, 51, 100, 1), 7000};
    t.session_id = 9;
    t.ticket.fill(0xCD);
    i.tickets = {t, t};
    return i;
  }
};

TEST_F(Parties, EachKindRoundTripsToItsRecipientOnly) {
  for (const Introduction& sent : {offer(), relay()}) {
    const auto sealed = seal_introduction(alice, bob.public_key(), kNow, sent);
    ASSERT_TRUE(sealed.has_value());
    EXPECT_LE(sealed->size(), kMaxSealedIntroduction);
    const auto opened = open_introduction(bob, kNow + 5, *sealed);
    ASSERT_TRUE(opened.ok()) << to_string(opened.error());
    EXPECT_EQ(opened->sender, alice.public_key());
    EXPECT_EQ(opened->introduction, sent);
    EXPECT_EQ(open_introduction(carol, kNow, *sealed).error(), IntroductionError::kUnsealFailed);
    EXPECT_EQ(open_introduction(alice, kNow, *sealed).error(), IntroductionError::kUnsealFailed);
  }
}

TEST_F(Parties, TamperedStaleAndMalformedAreRefused) {
  auto sealed = *seal_introduction(alice, bob.public_key(), kNow, offer());
  EXPECT_EQ(open_introduction(bob, kNow + kIntroductionMaxSkewSeconds + 1, sealed).error(), IntroductionError::kStale);
  EXPECT_EQ(open_introduction(bob, kNow - kIntroductionMaxSkewSeconds - 1, sealed).error(), IntroductionError::kStale);
  sealed[sealed.size() - 1] ^= 0x01;
  EXPECT_EQ(open_introduction(bob, kNow, sealed).error(), IntroductionError::kUnsealFailed);
  EXPECT_EQ(open_introduction(bob, kNow, Bytes(10, 0)).error(), IntroductionError::kMalformed);
  EXPECT_EQ(open_introduction(bob, kNow, Bytes(kMaxSealedIntroduction + 1, 0)).error(), IntroductionError::kMalformed);
}

TEST_F(Parties, InconsistentIntroductionsAreNotSealed) {
  Introduction no_offer = offer();
  no_offer.offer.reset();
  EXPECT_FALSE(seal_introduction(alice, bob.public_key(), kNow, no_offer).has_value());
  Introduction offer_with_tickets = offer();
  offer_with_tickets.tickets = relay().tickets;
  EXPECT_FALSE(seal_introduction(alice, bob.public_key(), kNow, offer_with_tickets).has_value());
  Introduction too_many = relay();
  too_many.tickets.resize(kMaxRelayTickets + 1, too_many.tickets.front());
  EXPECT_FALSE(seal_introduction(alice, bob.public_key(), kNow, too_many).has_value());
}

}  // namespace
}  // namespace koe
