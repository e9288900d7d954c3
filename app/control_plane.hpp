// ControlPlane: the node's person-to-person protocols behind one door: contact
// requests, presence and call signalling share the ContactList and the control channel.
// It decodes each control payload once, hands it to the core that owns its type and
// merges their outboxes and timers. Sans-IO; net thread; owns the ContactList.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "app/call_signalling.hpp"
#include "app/contact_requests.hpp"
#include "app/contacts.hpp"
#include "app/presence.hpp"

namespace koe {

struct ControlPlaneConfig {
  CallSignallingConfig calls;
  PresenceConfig presence;
};

class ControlPlane {
 public:
  ControlPlane(Random& random, const NodeId& self, std::string display_name, ContactList contacts,
               ControlPlaneConfig config = {});
  ControlPlane(const ControlPlane&) = delete;
  ControlPlane& operator=(const ControlPlane&) = delete;

  // A control-channel payload from `from` (authenticated by its session). Returns false
  // when it did not decode (the caller counts it as malformed).
  bool on_payload(TimePoint now, const NodeId& from, ByteView payload);
  // Voice or any other authenticated traffic from `from`: it is alive.
  void on_peer_activity(TimePoint now, const NodeId& from) { calls_.on_peer_activity(now, from); }
  // The link with `peer` came up, or went down.
  void on_peer_reachable(TimePoint now, const NodeId& peer);
  void on_peer_unreachable(const NodeId& peer) { calls_.on_link_down(peer); }

  void on_timer(TimePoint now);
  TimePoint next_timeout() const;

  // Messages from every core, in the order they were produced.
  std::vector<OutgoingControl> take_outbox();
  // Introduce and IntroductionFrom messages received, for the node's NAT traversal.
  struct Received {
    NodeId from;
    ControlMessage message;
  };
  std::vector<Received> take_introductions() { return std::exchange(introductions_, {}); }

  ContactRequests& requests() { return requests_; }
  PresenceTracker& presence() { return presence_; }
  CallSignalling& calls() { return calls_; }
  const ContactList& contacts() const { return contacts_; }
  const PresenceTracker& presence() const { return presence_; }
  const CallSignalling& calls() const { return calls_; }
  // Control payloads that did not decode, or whose type no core takes (receiver reports
  // ride in the voice stream instead).
  uint64_t malformed() const { return malformed_; }

 private:
  ContactList contacts_;  // first: the cores below keep references to it
  ContactRequests requests_;
  PresenceTracker presence_;
  CallSignalling calls_;
  std::vector<Received> introductions_;
  uint64_t malformed_ = 0;
};

}  // namespace koe
