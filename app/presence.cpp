#include "app/presence.hpp"

#include <algorithm>

namespace koe {

PresenceTracker::PresenceTracker(const ContactList& contacts, PresenceConfig config)
    : contacts_(contacts), config_(config) {}

PresenceState PresenceTracker::desired(TimePoint now) const {
  switch (own_) {
    case OwnPresence::kOffline:
    case OwnPresence::kInvisible:
      return PresenceState::kOffline;
    case OwnPresence::kOnline:
      return now >= idle_deadline() ? PresenceState::kAway : PresenceState::kOnline;
    case OwnPresence::kAway:
      return PresenceState::kAway;
    case OwnPresence::kDoNotDisturb:
      return PresenceState::kDoNotDisturb;
  }
  return PresenceState::kOffline;
}

TimePoint PresenceTracker::idle_deadline() const {
  if (own_ != OwnPresence::kOnline || config_.idle_away_after <= Duration::zero()) return kNever;
  return last_activity_ + config_.idle_away_after;
}

void PresenceTracker::set_own(TimePoint now, OwnPresence presence) {
  const bool signing_in = own_ == OwnPresence::kOffline && presence != OwnPresence::kOffline;
  own_ = presence;
  last_activity_ = now;  // choosing a status is activity
  if (!signing_in) {
    reannounce(now);
    if (own_ == OwnPresence::kOffline) next_heartbeat_ = kNever;
    return;
  }
  announced_ = desired(now);
  for (const ContactEntry& contact : contacts_.all()) {
    if (contact.state == ContactState::kAccepted) send(contact.id);
  }
  next_heartbeat_ = now + config_.heartbeat_interval;
}

void PresenceTracker::on_user_activity(TimePoint now) {
  last_activity_ = now;
  reannounce(now);
}

void PresenceTracker::reannounce(TimePoint now) {
  const PresenceState state = desired(now);
  if (state == announced_) return;
  announced_ = state;
  send_to_live_contacts();
}

void PresenceTracker::send_to_live_contacts() {
  for (auto it = live_.begin(); it != live_.end();) {
    const auto next = std::next(it);
    if (contacts_.is_accepted(it->first)) {
      send(it->first);
    } else {
      forget(it);  // removed or blocked meanwhile
    }
    it = next;
  }
}

void PresenceTracker::forget(std::map<NodeId, Heard>::iterator it) {
  const bool was_shown = it->second.state != PresenceState::kOffline;
  const NodeId contact = it->first;
  live_.erase(it);
  if (was_shown) events_.push_back({contact, PresenceState::kOffline});
}

void PresenceTracker::on_update(TimePoint now, const NodeId& from, PresenceState state) {
  if (!contacts_.is_accepted(from)) {
    ++ignored_;
    return;
  }
  const auto [it, first_heard] = live_.try_emplace(from, Heard{PresenceState::kOffline, now});
  const PresenceState shown_before = it->second.state;
  it->second = Heard{state, now};
  if (state != shown_before) events_.push_back({from, state});
  if (first_heard && own_ != OwnPresence::kOffline) send(from);
}

void PresenceTracker::on_contact_reachable(TimePoint, const NodeId& contact) {
  if (own_ != OwnPresence::kOffline && contacts_.is_accepted(contact)) send(contact);
}

PresenceState PresenceTracker::state_of(const NodeId& contact) const {
  if (!contacts_.is_accepted(contact)) return PresenceState::kOffline;
  const auto it = live_.find(contact);
  return it == live_.end() ? PresenceState::kOffline : it->second.state;
}

void PresenceTracker::on_timer(TimePoint now) {
  for (auto it = live_.begin(); it != live_.end();) {
    const auto next = std::next(it);
    if (now - it->second.at >= config_.expiry) forget(it);
    it = next;
  }
  reannounce(now);  // auto-away
  if (now >= next_heartbeat_) {
    send_to_live_contacts();
    next_heartbeat_ = now + config_.heartbeat_interval;
  }
}

TimePoint PresenceTracker::next_timeout() const {
  TimePoint next = std::min(next_heartbeat_, announced_ == PresenceState::kOnline ? idle_deadline() : kNever);
  for (const auto& [contact, heard] : live_) next = std::min(next, heard.at + config_.expiry);
  return next;
}

}  // namespace koe
