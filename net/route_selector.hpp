// RouteSelector: which way one call's datagrams go, direct (hole punched) or through one of
// its relay bindings, chosen from the HolePunch outcome and the RelayClient's view of
// each binding. Make-before-break: the route moves the moment a better path works,
// and the receiving side accepts both paths, so nothing in flight is lost.
// Sans-IO; net thread only; borrows nothing (the RelayClient is passed to update()).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "net/hole_punch.hpp"
#include "net/relay_client.hpp"

namespace koe {

struct RouteSelectorConfig {
  // A relay that has not heard the peer for this long is not where the peer is: prefer
  // another binding whose peer is fresh (the peer lost its own way to this relay).
  Duration peer_stale_after = std::chrono::seconds(2);
};

struct CallRoute {
  enum class Kind : uint8_t {
    kNone,    // not yet (punching) or nothing usable left
    kDirect,  // to `direct` from the shared socket
    kRelay,   // wrapped in relay frames through `relay`
  };
  Kind kind = Kind::kNone;
  Endpoint direct;
  RelayHandle relay = 0;
  friend bool operator==(const CallRoute&, const CallRoute&) = default;
};

class RouteSelector {
 public:
  explicit RouteSelector(RouteSelectorConfig config = {}) : config_(config) {}

  // Relay bindings in preference order (primary first, then standbys).
  void add_relay(RelayHandle handle);
  void remove_relay(RelayHandle handle);
  const std::vector<RelayHandle>& relays() const { return relays_; }

  void on_punch_event(const HolePunchEvent& event);
  // The session saw the direct path die (e.g. the NAT dropped the mapping): go back to
  // a relay while the caller punches again.
  void on_direct_lost();

  // Recomputes the route (marking the chosen relay active, the others standby);
  // true when it changed.
  bool update(TimePoint now, RelayClient& relays);
  const CallRoute& route() const { return route_; }
  // Punching failed and no relay binding is usable: the caller should allocate or
  // join another relay.
  bool needs_relay() const { return punch_failed_ && !direct_ && route_.kind == CallRoute::Kind::kNone; }

 private:
  RouteSelectorConfig config_;
  std::vector<RelayHandle> relays_;
  std::optional<Endpoint> direct_;
  bool punch_failed_ = false;
  CallRoute route_;
};

}  // namespace koe
