#include "net/route_selector.hpp"

#include <algorithm>

namespace koe {

void RouteSelector::add_relay(RelayHandle handle) {
  if (std::find(relays_.begin(), relays_.end(), handle) == relays_.end()) relays_.push_back(handle);
}

void RouteSelector::remove_relay(RelayHandle handle) { std::erase(relays_, handle); }

void RouteSelector::on_punch_event(const HolePunchEvent& event) {
  if (event.kind == HolePunchEvent::Kind::kDirect && event.result) {
    direct_ = event.result->remote;
  } else if (event.kind == HolePunchEvent::Kind::kFailed) {
    punch_failed_ = true;
  }
}

void RouteSelector::on_direct_lost() {
  direct_.reset();
  punch_failed_ = true;
}

bool RouteSelector::update(TimePoint now, RelayClient& relays) {
  CallRoute next;
  if (direct_) {
    next = {CallRoute::Kind::kDirect, *direct_, 0};
  } else if (punch_failed_) {
    // The first usable binding whose relay still hears the peer, else the first usable.
    std::optional<RelayHandle> fresh, usable;
    for (const RelayHandle h : relays_) {
      if (!relays.usable(h)) continue;
      if (!usable) usable = h;
      const auto quiet = relays.peer_quiet(now, h);
      if (!fresh && quiet && *quiet < config_.peer_stale_after) fresh = h;
    }
    if (const auto chosen = fresh ? fresh : usable) next = {CallRoute::Kind::kRelay, {}, *chosen};
  }
  for (const RelayHandle h : relays_) {
    relays.set_active(h, next.kind == CallRoute::Kind::kRelay && next.relay == h);
  }
  const bool changed = !(next == route_);
  route_ = next;
  return changed;
}

}  // namespace koe
