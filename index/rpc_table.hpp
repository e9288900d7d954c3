// RpcTable: the requests a supernode is waiting on, by transaction ID, each with
// a soft deadline (a lookup stops waiting and asks someone else) and a hard one
// (the request failed). Sans-IO; owned by one IndexNode, called on its thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <unordered_map>
#include <utility>
#include <vector>

#include "index/contact.hpp"
#include "net/clock.hpp"
#include "net/env.hpp"

namespace koe {

enum class RpcPurpose : uint8_t {
  kLookup,     // part of an operation's lookup
  kPing,       // neighbour liveness check, or fetching a token before a store
  kBootstrap,  // first contact with a seed whose ID we do not know yet
  kRefresh,    // a single FindNode that fills a bucket
  kStore,      // a replica store
};

struct PendingRpc {
  Contact to;  // to.id is all zeros for kBootstrap
  RpcPurpose purpose = RpcPurpose::kLookup;
  uint32_t operation = 0;  // kLookup: the operation it belongs to
  TimePoint soft_deadline;
  TimePoint deadline;
  bool slow = false;
};

class RpcTable {
 public:
  // Registers `rpc` under a fresh non-zero transaction ID drawn from `random`.
  uint32_t add(Random& random, PendingRpc rpc);
  const PendingRpc* find(uint32_t txid) const;
  // Removes and returns the RPC `txid` if it is pending.
  std::optional<PendingRpc> take(uint32_t txid);
  // Marks RPCs past their soft deadline slow (each reported once, still pending) and
  // removes those past their deadline.
  void expire(TimePoint now, std::vector<PendingRpc>& newly_slow, std::vector<PendingRpc>& failed);
  TimePoint next_deadline() const;
  size_t size() const { return pending_.size(); }
  bool waiting_on(const Endpoint& endpoint, RpcPurpose purpose) const;
  bool waiting_for(RpcPurpose purpose) const;

 private:
  using Deadline = std::pair<TimePoint, uint32_t>;
  std::unordered_map<uint32_t, PendingRpc> pending_;
  // Soft and hard deadlines; entries of answered RPCs are skipped when they surface.
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> deadlines_;
};

}  // namespace koe
