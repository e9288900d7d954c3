// PresenceTracker: this node's own presence (the user's choice, with auto-away) and what
// it knows of its accepted contacts' presence. Changes are announced at once, live
// contacts get a heartbeat, and a contact unheard for `expiry` shows offline, which is
// how a crashed node is noticed. Sans-IO; net thread. Reads the ContactList the node owns.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "app/contacts.hpp"
#include "app/control_messages.hpp"
#include "app/presence_state.hpp"
#include "net/clock.hpp"

namespace koe {

// What the user chose. kInvisible is announced as offline while the node keeps seeing
// its contacts; kOffline is signed out.
enum class OwnPresence : uint8_t { kOffline, kOnline, kAway, kDoNotDisturb, kInvisible };

struct PresenceConfig {
  // Live contacts hear our presence again this often even when nothing changed.
  Duration heartbeat_interval = std::chrono::seconds(20);
  // A contact unheard this long is shown offline. Two and a half heartbeats: one late
  // heartbeat is no outage, and a crashed node shows offline within 50 s (issue: 60 s).
  Duration expiry = std::chrono::seconds(50);
  // kOnline is announced as kAway after this long without user activity; zero disables.
  Duration idle_away_after = std::chrono::minutes(10);
};

// A contact's presence as shown changed.
struct PresenceEvent {
  NodeId contact;
  PresenceState state;
};

class PresenceTracker {
 public:
  explicit PresenceTracker(const ContactList& contacts, PresenceConfig config = {});

  // Signing in (from kOffline) announces us to every accepted contact, since any of
  // them may be online; later changes go to the live ones; signing out tells them kOffline.
  void set_own(TimePoint now, OwnPresence presence);
  // Keyboard, mouse or a call: ends auto-away.
  void on_user_activity(TimePoint now);
  OwnPresence own() const { return own_; }
  // What contacts are told now.
  PresenceState announced() const { return announced_; }

  // A PresenceUpdate from `from` (ignored unless an accepted contact). A contact heard
  // for the first time since it expired is answered with our presence, so both sides
  // learn each other from one message.
  void on_update(TimePoint now, const NodeId& from, PresenceState state);
  // A session with this contact came up (e.g. it connected to us): tell it our presence.
  void on_contact_reachable(TimePoint now, const NodeId& contact);

  // kOffline unless an accepted contact heard from within `expiry`.
  PresenceState state_of(const NodeId& contact) const;

  void on_timer(TimePoint now);
  TimePoint next_timeout() const;

  std::vector<OutgoingControl> take_outbox() { return std::exchange(outbox_, {}); }
  std::vector<PresenceEvent> take_events() { return std::exchange(events_, {}); }
  // Updates dropped because the sender is not an accepted contact.
  uint64_t ignored() const { return ignored_; }

 private:
  struct Heard {
    PresenceState state;
    TimePoint at;
  };

  PresenceState desired(TimePoint now) const;
  // Recomputes what we announce; tells the live contacts when it changed.
  void reannounce(TimePoint now);
  void send(const NodeId& to) { outbox_.push_back({to, PresenceUpdate{announced_}}); }
  void send_to_live_contacts();
  void forget(std::map<NodeId, Heard>::iterator it);
  TimePoint idle_deadline() const;

  const ContactList& contacts_;
  PresenceConfig config_;
  OwnPresence own_ = OwnPresence::kOffline;
  PresenceState announced_ = PresenceState::kOffline;
  TimePoint last_activity_{};
  TimePoint next_heartbeat_ = kNever;
  // Contacts heard from within `expiry` ("live"), whatever state they announced.
  std::map<NodeId, Heard> live_;
  std::vector<OutgoingControl> outbox_;
  std::vector<PresenceEvent> events_;
  uint64_t ignored_ = 0;
};

}  // namespace koe
