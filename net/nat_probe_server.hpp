// NatProbeServer: the supernode's side of NAT discovery. Answers reflexive-address
// probes, passes a node's filtering test to a partner supernode, and answers the
// forwards partners send it, each behind a per-address rate limit.
// Sans-IO; net thread only; outputs collected with take_outbox().
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "net/env.hpp"
#include "net/rate_limiter.hpp"
#include "net/wire.hpp"

namespace koe {

struct NatProbeServerConfig {
  // Probe requests and redirects per source IP (a redirect costs two datagrams).
  RateLimiterConfig per_source{.per_second = 10, .burst = 10, .max_sources = 4096};
  // Forwarded probes per target IP, so a partner cannot be used to flood a host.
  RateLimiterConfig per_target{.per_second = 5, .burst = 5, .max_sources = 4096};
};

struct NatProbeServerCounters {
  uint64_t probes_answered = 0;
  uint64_t redirects_forwarded = 0;
  uint64_t forwards_answered = 0;
  uint64_t malformed = 0;
  uint64_t rate_limited = 0;
  uint64_t not_partner = 0;   // a forward from an address that is not a partner
  uint64_t no_partner = 0;    // a redirect while no partner is configured
};

class NatProbeServer {
 public:
  explicit NatProbeServer(NatProbeServerConfig config = {});
  NatProbeServer(const NatProbeServer&) = delete;  // its rate limiters' tables cannot be copied
  NatProbeServer& operator=(const NatProbeServer&) = delete;

  // The supernodes (on other IP addresses) this one asks to probe for it and whose
  // forwards it answers. The caller keeps the list current (the index knows them).
  void set_partners(std::vector<Endpoint> partners);

  // kProbeRequest, kProbeRedirect and kProbeForward.
  static bool owns(wire::PacketType type);
  void on_datagram(TimePoint now, const Endpoint& from, ByteView bytes);

  std::vector<OutDatagram> take_outbox() { return std::exchange(outbox_, {}); }
  const NatProbeServerCounters& counters() const { return counters_; }

 private:
  void on_probe(TimePoint now, const Endpoint& from, ByteView bytes);
  void on_redirect(TimePoint now, const Endpoint& from, ByteView bytes);
  void on_forward(TimePoint now, const Endpoint& from, ByteView bytes);
  bool is_partner(const Endpoint& e) const;

  RateLimiter per_source_;
  RateLimiter per_target_;
  std::vector<Endpoint> partners_;
  size_t next_partner_ = 0;  // round robin, so repeated tests meet different partners
  std::vector<OutDatagram> outbox_;
  NatProbeServerCounters counters_;
};

}  // namespace koe
