// Lookup: one iterative Kademlia lookup toward a target ID, as a state machine
// with no I/O: it says which contacts to ask next (keeping `alpha` requests in
// flight), learns closer contacts from answers, and finishes when the k closest
// contacts it knows have all answered. Its owner sends the requests, feeds back
// answers, slow answers and failures, and decides what an answer's payload means.
// Sans-IO; owned by one IndexNode, called on its thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "index/contact.hpp"

namespace koe {

class Lookup {
 public:
  // `seeds` (depth 1) come from the owner's routing table and must not include the owner.
  Lookup(const NodeId& target, std::span<const Contact> seeds, size_t k, size_t alpha);

  // The contacts to ask now, each marked in flight.
  std::vector<Contact> take_queries();
  // `from` answered, with its address token for us; `closer` are contacts it
  // knows near the target (depth + 1).
  void on_answer(const NodeId& from, std::span<const Contact> closer, uint64_t token = 0);
  // `from` is late: stop counting it against alpha (its answer still counts).
  void on_slow(const NodeId& from);
  void on_failure(const NodeId& from);

  // True when the k closest contacts not known to have failed have all answered
  // (or no contact is left to ask).
  bool finished() const;
  // The looser end for lookups that only need to know where to store: the alpha
  // closest contacts have answered without naming anyone closer, so the k closest
  // known are the k closest there are (as far as those alpha know).
  bool converged() const;
  // Up to k contacts not known to have failed, closest first (answered or not).
  std::vector<Contact> closest_known() const;
  // Up to k contacts that answered, closest first.
  std::vector<Contact> closest_answered() const;
  // Hops from the owner to `id`: 1 for a seed, one more per answer that led to it.
  uint8_t depth(const NodeId& id) const;
  // The token `id` gave us with its answer (0 if none): a store to it right after
  // the lookup needs no extra round trip, as BitTorrent's announce after get_peers.
  uint64_t token(const NodeId& id) const;
  // The deepest answering contact among closest_answered() (the lookup's hop count).
  uint8_t hops() const;
  const NodeId& target() const { return target_; }

 private:
  enum class State : uint8_t { kFresh, kInFlight, kSlow, kAnswered, kFailed };
  struct Candidate {
    Contact contact;
    NodeId distance;
    uint8_t depth;
    State state;
    uint64_t token = 0;
  };
  Candidate* find(const NodeId& id);
  const Candidate* find(const NodeId& id) const;
  void add(const Contact& contact, uint8_t depth);

  NodeId target_;
  size_t k_;
  size_t alpha_;
  std::vector<Candidate> candidates_;  // sorted by distance to the target
};

}  // namespace koe
