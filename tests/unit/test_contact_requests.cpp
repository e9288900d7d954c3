// ContactRequests: adding by ID (typos refused), request / accept / decline / block,
// and that a peer's messages change the list only as the protocol allows.
#include <gtest/gtest.h>

#include "app/contact_requests.hpp"
#include "tests/unit/app_test_support.hpp"

namespace koe {
namespace {

using test::test_node_id;

const NodeId kSelf = test_node_id(1);
const NodeId kPeer = test_node_id(2);
const NodeId kOther = test_node_id(3);

class ContactRequestsTest : public ::testing::Test {
 protected:
  ContactList list_;
  ContactRequests requests_{list_, kSelf, "Me"};

  // The single message sent, which must go to `to`.
  ControlMessage sent_one(const NodeId& to) {
    auto out = requests_.take_outbox();
    EXPECT_EQ(out.size(), 1u);
    if (out.empty()) return PresenceUpdate{};
    EXPECT_EQ(out[0].to, to);
    return out[0].message;
  }
  std::vector<ContactEvent::Kind> event_kinds() {
    std::vector<ContactEvent::Kind> kinds;
    for (const auto& e : requests_.take_events()) kinds.push_back(e.kind);
    return kinds;
  }
  ContactState state_of(const NodeId& id) {
    const ContactEntry* c = list_.find(id);
    EXPECT_NE(c, nullptr);
    return c ? c->state : ContactState::kBlocked;
  }
};

TEST_F(ContactRequestsTest, SendingARequestRecordsItAndSendsTheNote) {
  auto sent = requests_.send_request(to_user_id(kPeer), "Hi, it's me");
  ASSERT_TRUE(sent) << sent.error().message();
  EXPECT_EQ(*sent, kPeer);
  EXPECT_EQ(state_of(kPeer), ContactState::kRequestSent);
  EXPECT_EQ(sent_one(kPeer), ControlMessage(ContactRequest{"Me", "Hi, it's me"}));
  EXPECT_TRUE(requests_.take_changed());
  EXPECT_FALSE(requests_.take_changed());

  // Asking again repeats the request with the new note.
  ASSERT_TRUE(requests_.send_request(to_user_id(kPeer), "ping?"));
  EXPECT_EQ(sent_one(kPeer), ControlMessage(ContactRequest{"Me", "ping?"}));
  EXPECT_EQ(list_.size(), 1u);
}

TEST_F(ContactRequestsTest, AMistypedIdIsRefusedBeforeAnythingIsSent) {
  std::string id = to_user_id(kPeer);
  id[20] = id[20] == 'x' ? 'y' : 'x';
  auto sent = requests_.send_request(id, "hi");
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().kind, ContactRequestErrorKind::kInvalidId);
  EXPECT_EQ(sent.error().id_error.kind, UserIdErrorKind::kChecksumMismatch);
  EXPECT_NE(sent.error().message().find("mistyped"), std::string::npos) << sent.error().message();
  EXPECT_TRUE(requests_.take_outbox().empty());
  EXPECT_EQ(list_.size(), 0u);
  EXPECT_FALSE(requests_.take_changed());
}

TEST_F(ContactRequestsTest, RequestsThatMakeNoSenseAreRefused) {
  EXPECT_EQ(requests_.send_request(to_user_id(kSelf), "").error().kind, ContactRequestErrorKind::kSelf);
  EXPECT_EQ(
      requests_.send_request(to_user_id(kPeer), std::string(kMaxContactRequestMessageBytes + 1, 'a')).error().kind,
      ContactRequestErrorKind::kBadMessage);
  EXPECT_EQ(requests_.send_request(to_user_id(kPeer), "\xc3(").error().kind, ContactRequestErrorKind::kBadMessage);
  ASSERT_TRUE(requests_.block(kPeer));
  EXPECT_EQ(requests_.send_request(to_user_id(kPeer), "").error().kind, ContactRequestErrorKind::kBlocked);
  list_.put({kOther, ContactState::kAccepted, "", ""});
  EXPECT_EQ(requests_.send_request(to_user_id(kOther), "").error().kind, ContactRequestErrorKind::kAlreadyContact);
  EXPECT_TRUE(requests_.take_outbox().empty());
}

TEST_F(ContactRequestsTest, TheLongestNoteIsAccepted) {
  EXPECT_TRUE(requests_.send_request(to_user_id(kPeer), std::string(kMaxContactRequestMessageBytes, 'a')));
}

TEST_F(ContactRequestsTest, AnAcceptedRequestMakesAContact) {
  ASSERT_TRUE(requests_.send_request(to_user_id(kPeer), "hi"));
  requests_.take_outbox();
  requests_.take_changed();
  requests_.on_response(kPeer, ContactResponse{true, "Peer"});
  EXPECT_EQ(state_of(kPeer), ContactState::kAccepted);
  EXPECT_EQ(list_.find(kPeer)->display_name, "Peer");
  EXPECT_EQ(event_kinds(), std::vector{ContactEvent::Kind::kAccepted});
  EXPECT_TRUE(requests_.take_changed());
}

TEST_F(ContactRequestsTest, ADeclinedRequestIsForgottenAndMayBeSentAgain) {
  ASSERT_TRUE(requests_.send_request(to_user_id(kPeer), "hi"));
  requests_.on_response(kPeer, ContactResponse{false, "Peer"});
  EXPECT_EQ(list_.find(kPeer), nullptr);
  EXPECT_EQ(event_kinds(), std::vector{ContactEvent::Kind::kDeclined});
  EXPECT_TRUE(requests_.send_request(to_user_id(kPeer), "please?"));
}

TEST_F(ContactRequestsTest, UnsolicitedResponsesChangeNothing) {
  requests_.on_response(kPeer, ContactResponse{true, "Mallory"});
  EXPECT_EQ(list_.find(kPeer), nullptr) << "nobody becomes a contact without our request";
  list_.put({kOther, ContactState::kRequestReceived, "", ""});
  requests_.on_response(kOther, ContactResponse{true, ""});
  EXPECT_EQ(state_of(kOther), ContactState::kRequestReceived);
  EXPECT_TRUE(requests_.take_events().empty());
  EXPECT_EQ(requests_.ignored(), 2u);
  EXPECT_FALSE(requests_.take_changed());
}

TEST_F(ContactRequestsTest, AnIncomingRequestWaitsForTheUser) {
  requests_.on_request(kPeer, ContactRequest{"Peer", "it's Peer"});
  EXPECT_EQ(state_of(kPeer), ContactState::kRequestReceived);
  EXPECT_EQ(list_.find(kPeer)->message, "it's Peer");
  EXPECT_EQ(event_kinds(), std::vector{ContactEvent::Kind::kRequestReceived});
  EXPECT_TRUE(requests_.take_outbox().empty());

  // A repeat updates the note without a second notification.
  requests_.on_request(kPeer, ContactRequest{"Peer", "hello??"});
  EXPECT_EQ(list_.find(kPeer)->message, "hello??");
  EXPECT_TRUE(requests_.take_events().empty());

  ASSERT_TRUE(requests_.accept(kPeer));
  EXPECT_EQ(state_of(kPeer), ContactState::kAccepted);
  EXPECT_EQ(sent_one(kPeer), ControlMessage(ContactResponse{true, "Me"}));
  EXPECT_FALSE(requests_.accept(kPeer)) << "nothing left to accept";
}

TEST_F(ContactRequestsTest, DecliningForgetsTheRequestAndTellsThePeer) {
  requests_.on_request(kPeer, ContactRequest{"Peer", ""});
  ASSERT_TRUE(requests_.decline(kPeer));
  EXPECT_EQ(list_.find(kPeer), nullptr);
  EXPECT_EQ(sent_one(kPeer), ControlMessage(ContactResponse{false, "Me"}));
  EXPECT_FALSE(requests_.decline(kPeer));
  // A declined peer may ask again.
  requests_.on_request(kPeer, ContactRequest{"Peer", "again"});
  EXPECT_EQ(state_of(kPeer), ContactState::kRequestReceived);
}

TEST_F(ContactRequestsTest, ABlockedIdCanNeitherRequestAgainNorBeSeen) {
  requests_.on_request(kPeer, ContactRequest{"Spammer", "buy now"});
  requests_.take_events();
  ASSERT_TRUE(requests_.block(kPeer));
  EXPECT_EQ(state_of(kPeer), ContactState::kBlocked);
  EXPECT_EQ(list_.find(kPeer)->message, "");
  EXPECT_TRUE(requests_.take_outbox().empty()) << "blocking is silent";
  EXPECT_FALSE(requests_.block(kPeer));

  requests_.on_request(kPeer, ContactRequest{"Spammer", "buy now!!"});
  requests_.on_response(kPeer, ContactResponse{true, ""});
  EXPECT_EQ(state_of(kPeer), ContactState::kBlocked);
  EXPECT_TRUE(requests_.take_events().empty());
  EXPECT_TRUE(requests_.take_outbox().empty());
  EXPECT_EQ(requests_.ignored(), 2u);

  // An ID never seen can be blocked in advance; unblocking forgets it.
  ASSERT_TRUE(requests_.block(kOther));
  requests_.on_request(kOther, ContactRequest{"", ""});
  EXPECT_EQ(state_of(kOther), ContactState::kBlocked);
  EXPECT_FALSE(requests_.remove(kOther)) << "a block is lifted with unblock";
  ASSERT_TRUE(requests_.unblock(kOther));
  EXPECT_EQ(list_.find(kOther), nullptr);
  EXPECT_FALSE(requests_.unblock(kOther));
}

TEST_F(ContactRequestsTest, TwoRequestsToEachOtherAreAnAgreement) {
  ASSERT_TRUE(requests_.send_request(to_user_id(kPeer), "hi"));
  requests_.take_outbox();
  requests_.on_request(kPeer, ContactRequest{"Peer", "hi you too"});
  EXPECT_EQ(state_of(kPeer), ContactState::kAccepted);
  EXPECT_EQ(sent_one(kPeer), ControlMessage(ContactResponse{true, "Me"}));
  EXPECT_EQ(event_kinds(), std::vector{ContactEvent::Kind::kAccepted});

  // And the other way round: requesting someone who asked us accepts them.
  requests_.on_request(kOther, ContactRequest{"Other", ""});
  ASSERT_TRUE(requests_.send_request(to_user_id(kOther), "sure"));
  EXPECT_EQ(state_of(kOther), ContactState::kAccepted);
  EXPECT_EQ(sent_one(kOther), ControlMessage(ContactResponse{true, "Me"}));
}

TEST_F(ContactRequestsTest, AContactWhoLostUsIsConfirmedAgain) {
  list_.put({kPeer, ContactState::kAccepted, "Peer", ""});
  requests_.on_request(kPeer, ContactRequest{"Peer", "new phone, who dis"});
  EXPECT_EQ(sent_one(kPeer), ControlMessage(ContactResponse{true, "Me"}));
  EXPECT_EQ(state_of(kPeer), ContactState::kAccepted);
  EXPECT_TRUE(requests_.take_events().empty());
}

TEST_F(ContactRequestsTest, StrangersCannotFloodThePendingList) {
  for (size_t i = 0; i < kMaxPendingIncomingRequests + 10; ++i) {
    NodeId id;
    id.bytes[0] = 0xAA;
    id.bytes[1] = static_cast<uint8_t>(i);
    requests_.on_request(id, ContactRequest{"", "spam"});
  }
  EXPECT_EQ(list_.count(ContactState::kRequestReceived), kMaxPendingIncomingRequests);
  EXPECT_EQ(requests_.ignored(), 10u);
  // Our own requests still work.
  EXPECT_TRUE(requests_.send_request(to_user_id(kPeer), "hi"));
}

TEST_F(ContactRequestsTest, MessagesClaimingToBeFromUsAreIgnored) {
  requests_.on_request(kSelf, ContactRequest{"", ""});
  EXPECT_EQ(list_.size(), 0u);
  EXPECT_EQ(requests_.ignored(), 1u);
}

TEST_F(ContactRequestsTest, RemovingForgetsContactsAndRequests) {
  list_.put({kPeer, ContactState::kAccepted, "", ""});
  EXPECT_TRUE(requests_.remove(kPeer));
  EXPECT_FALSE(requests_.remove(kPeer));
  EXPECT_TRUE(requests_.take_changed());
}

}  // namespace
}  // namespace koe
