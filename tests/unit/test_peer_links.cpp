// PeerLinks: payloads to a person wait while the index finds them and a session comes
// up, LAN endpoints are tried first, and a peer that cannot be found or reached is
// given up with the reason.
#include "app/peer_links.hpp"

#include <gtest/gtest.h>

#include "net/random.hpp"

namespace koe {
namespace {

using namespace std::chrono_literals;

constexpr TimePoint kStart{std::chrono::seconds(100)};

struct Peer {
  Identity identity;
  PresenceRecord record;
};

Peer make_peer(uint64_t seed) {
  SeededRandom random(seed);
  Peer peer{Identity::generate(random), {}};
  peer.record.id = peer.identity.node_id();
  peer.record.public_key = peer.identity.public_key();
  peer.record.endpoints = {{EndpointKind::kReflexive, Endpoint{Endpoint::make_ip(198, 51, 100, 7), 4000}},
                           {EndpointKind::kLan, Endpoint{Endpoint::make_ip(192, 168, 1, 7), 4000}}};
  return peer;
}

Bytes payload(uint8_t value) { return Bytes{value}; }

TEST(PeerLinks, QueuesUntilFoundAndConnectedLanFirst) {
  const Peer bob = make_peer(1);
  PeerLinks links;
  links.send(kStart, bob.record.id, payload(1));
  links.send(kStart, bob.record.id, payload(2));
  EXPECT_TRUE(links.take_sends().empty());
  const auto lookups = links.take_lookups();
  ASSERT_EQ(lookups.size(), 1u);  // one lookup for both payloads
  EXPECT_EQ(lookups[0], bob.record.id);

  links.on_record(kStart + 50ms, bob.record);
  auto connects = links.take_connects();
  ASSERT_EQ(connects.size(), 1u);
  EXPECT_EQ(connects[0].endpoint, bob.record.endpoints[1].endpoint);  // the LAN one first
  EXPECT_EQ(connects[0].key, bob.record.public_key);

  links.on_link_up(kStart + 60ms, bob.record.public_key, connects[0].endpoint);
  const auto sends = links.take_sends();
  ASSERT_EQ(sends.size(), 2u);
  EXPECT_EQ(sends[0].payload, payload(1));
  EXPECT_EQ(sends[1].payload, payload(2));
  EXPECT_TRUE(links.is_up(bob.record.id));

  // Once up, payloads go straight out.
  links.send(kStart + 70ms, bob.record.id, payload(3));
  EXPECT_EQ(links.take_sends().size(), 1u);
  EXPECT_TRUE(links.take_lookups().empty());
}

TEST(PeerLinks, TriesTheNextEndpointWhenOneGivesNoSession) {
  const Peer bob = make_peer(2);
  PeerLinksConfig config;
  PeerLinks links(config);
  links.send(kStart, bob.record.id, payload(1));
  links.on_record(kStart, bob.record);
  ASSERT_EQ(links.take_connects().size(), 1u);
  links.on_timer(kStart + config.endpoint_timeout);
  const auto connects = links.take_connects();
  ASSERT_EQ(connects.size(), 1u);
  EXPECT_EQ(connects[0].endpoint, bob.record.endpoints[0].endpoint);  // then the reflexive one
}

TEST(PeerLinks, GivesUpWithTheReason) {
  const Peer bob = make_peer(3);
  const Peer carol = make_peer(4);
  PeerLinksConfig config;
  PeerLinks links(config);
  links.send(kStart, bob.record.id, payload(1));
  links.on_lookup_failed(kStart + 1s, bob.record.id, PeerFailure::kOffline);
  auto give_ups = links.take_give_ups();
  ASSERT_EQ(give_ups.size(), 1u);
  EXPECT_EQ(give_ups[0].failure, PeerFailure::kOffline);
  EXPECT_EQ(give_ups[0].dropped, 1u);

  links.send(kStart, carol.record.id, payload(1));
  links.on_record(kStart, carol.record);
  links.on_timer(kStart + config.give_up_after);
  give_ups = links.take_give_ups();
  ASSERT_EQ(give_ups.size(), 1u);
  EXPECT_EQ(give_ups[0].peer, carol.record.id);
  EXPECT_EQ(give_ups[0].failure, PeerFailure::kUnreachable);
  EXPECT_EQ(links.next_timeout(), kNever);
}

TEST(PeerLinks, QueuesAreBounded) {
  const Peer bob = make_peer(5);
  PeerLinksConfig config;
  config.max_queued_per_peer = 3;
  PeerLinks links(config);
  for (uint8_t i = 0; i < 5; ++i) links.send(kStart, bob.record.id, payload(i));
  const auto give_ups = links.take_give_ups();
  ASSERT_EQ(give_ups.size(), 2u);
  EXPECT_EQ(give_ups[0].failure, PeerFailure::kQueueFull);
  links.on_record(kStart, bob.record);
  links.on_link_up(kStart, bob.record.public_key, std::nullopt);
  EXPECT_EQ(links.take_sends().size(), 3u);
}

TEST(PeerLinks, LinkDownMeansQueueingAgain) {
  const Peer bob = make_peer(6);
  PeerLinks links;
  links.on_link_up(kStart, bob.record.public_key, bob.record.endpoints[0].endpoint);
  links.on_link_down(bob.record.public_key);
  links.send(kStart, bob.record.id, payload(1));
  EXPECT_TRUE(links.take_sends().empty());
  // The endpoint the session ran on is remembered: no lookup needed.
  EXPECT_TRUE(links.take_lookups().empty());
  const auto connects = links.take_connects();
  ASSERT_EQ(connects.size(), 1u);
  EXPECT_EQ(connects[0].endpoint, bob.record.endpoints[0].endpoint);
}

}  // namespace
}  // namespace koe
