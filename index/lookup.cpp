#include "index/lookup.hpp"

#include <algorithm>

#include "index/id_order.hpp"

namespace koe {

namespace {
// Candidates beyond this many are the farthest and never asked; dropping them
// keeps a lookup's memory bounded whatever answers claim.
constexpr size_t kCandidatesPerK = 8;
}  // namespace

Lookup::Lookup(const NodeId& target, std::span<const Contact> seeds, size_t k, size_t alpha)
    : target_(target), k_(std::max<size_t>(k, 1)), alpha_(std::max<size_t>(alpha, 1)) {
  for (const Contact& c : seeds) add(c, 1);
}

Lookup::Candidate* Lookup::find(const NodeId& id) {
  const NodeId distance = xor_distance(id, target_);
  auto it = std::lower_bound(candidates_.begin(), candidates_.end(), distance,
                             [](const Candidate& c, const NodeId& d) { return id_less(c.distance, d); });
  return it != candidates_.end() && it->distance == distance ? &*it : nullptr;
}

const Lookup::Candidate* Lookup::find(const NodeId& id) const { return const_cast<Lookup*>(this)->find(id); }

void Lookup::add(const Contact& contact, uint8_t depth) {
  if (Candidate* known = find(contact.id)) {
    known->depth = std::min(known->depth, depth);
    return;
  }
  const NodeId distance = xor_distance(contact.id, target_);
  const auto pos = std::lower_bound(candidates_.begin(), candidates_.end(), distance,
                                    [](const Candidate& c, const NodeId& d) { return id_less(c.distance, d); });
  if (static_cast<size_t>(pos - candidates_.begin()) >= kCandidatesPerK * k_) return;
  candidates_.insert(pos, Candidate{contact, distance, depth, State::kFresh, 0});
  if (candidates_.size() > kCandidatesPerK * k_) {
    // Drop the farthest candidate nobody is waiting on.
    for (auto it = candidates_.end(); it != candidates_.begin();) {
      --it;
      if (it->state == State::kFresh || it->state == State::kFailed) {
        candidates_.erase(it);
        break;
      }
    }
  }
}

std::vector<Contact> Lookup::take_queries() {
  size_t in_flight = static_cast<size_t>(
      std::count_if(candidates_.begin(), candidates_.end(), [](const Candidate& c) { return c.state == State::kInFlight; }));
  std::vector<Contact> out;
  size_t alive = 0;
  for (Candidate& c : candidates_) {
    if (c.state == State::kFailed) continue;
    if (++alive > k_ || in_flight >= alpha_) break;
    if (c.state == State::kFresh) {
      c.state = State::kInFlight;
      out.push_back(c.contact);
      ++in_flight;
    }
  }
  return out;
}

void Lookup::on_answer(const NodeId& from, std::span<const Contact> closer, uint64_t token) {
  Candidate* c = find(from);
  if (c == nullptr || (c->state != State::kInFlight && c->state != State::kSlow)) return;  // never asked
  c->state = State::kAnswered;
  c->token = token;
  const uint8_t depth = static_cast<uint8_t>(std::min<int>(c->depth + 1, 255));
  for (const Contact& learned : closer) add(learned, depth);
}

void Lookup::on_slow(const NodeId& from) {
  if (Candidate* c = find(from); c != nullptr && c->state == State::kInFlight) c->state = State::kSlow;
}

void Lookup::on_failure(const NodeId& from) {
  if (Candidate* c = find(from); c != nullptr && c->state != State::kAnswered) c->state = State::kFailed;
}

bool Lookup::finished() const {
  size_t alive = 0;
  for (const Candidate& c : candidates_) {
    if (c.state == State::kFailed) continue;
    if (++alive > k_) break;
    if (c.state != State::kAnswered) return false;
  }
  return true;
}

bool Lookup::converged() const {
  size_t alive = 0;
  for (const Candidate& c : candidates_) {
    if (c.state == State::kFailed) continue;
    if (++alive > alpha_) break;
    if (c.state != State::kAnswered) return false;
  }
  return true;
}

std::vector<Contact> Lookup::closest_known() const {
  std::vector<Contact> out;
  for (const Candidate& c : candidates_) {
    if (out.size() >= k_) break;
    if (c.state != State::kFailed) out.push_back(c.contact);
  }
  return out;
}

std::vector<Contact> Lookup::closest_answered() const {
  std::vector<Contact> out;
  for (const Candidate& c : candidates_) {
    if (out.size() >= k_) break;
    if (c.state == State::kAnswered) out.push_back(c.contact);
  }
  return out;
}

uint8_t Lookup::depth(const NodeId& id) const {
  const Candidate* c = find(id);
  return c != nullptr ? c->depth : 0;
}

uint64_t Lookup::token(const NodeId& id) const {
  const Candidate* c = find(id);
  return c != nullptr ? c->token : 0;
}

uint8_t Lookup::hops() const {
  uint8_t deepest = 0;
  size_t answered = 0;
  for (const Candidate& c : candidates_) {
    if (answered >= k_) break;
    if (c.state != State::kAnswered) continue;
    ++answered;
    deepest = std::max(deepest, c.depth);
  }
  return deepest;
}

}  // namespace koe
