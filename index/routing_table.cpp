#include "index/routing_table.hpp"

#include <algorithm>

#include "index/id_order.hpp"

namespace koe {

namespace {

bool bit_set(const NodeId& id, size_t bit) { return (id.bytes[bit / 8] >> (7 - bit % 8)) & 1; }

size_t leading_zero_bytes(const NodeId& id) {
  size_t n = 0;
  while (n < kNodeIdSize && id.bytes[n] == 0) ++n;
  return n;
}

}  // namespace

RoutingTable::RoutingTable(const NodeId& self, size_t bucket_size, uint8_t max_failures)
    : self_(self), bucket_size_(std::max<size_t>(bucket_size, 1)), max_failures_(std::max<uint8_t>(max_failures, 1)) {}

std::vector<RoutingTable::Entry>::iterator RoutingTable::lower_bound(const NodeId& distance) {
  return std::lower_bound(entries_.begin(), entries_.end(), distance,
                          [](const Entry& e, const NodeId& d) { return id_less(e.distance, d); });
}

std::vector<RoutingTable::Entry>::iterator RoutingTable::find_entry(const NodeId& distance) {
  auto it = lower_bound(distance);
  return it != entries_.end() && it->distance == distance ? it : entries_.end();
}

void RoutingTable::insert_sorted(const Entry& entry) { entries_.insert(lower_bound(entry.distance), entry); }

std::vector<RoutingTable::Entry>::const_iterator RoutingTable::find_entry(const NodeId& distance) const {
  return const_cast<RoutingTable*>(this)->find_entry(distance);
}

std::pair<size_t, size_t> RoutingTable::bucket_range(const NodeId& distance) const {
  // The bucket holds every distance with the same leading zero bytes and the same
  // first non-zero byte: [prefix 00.., prefix ff..].
  const size_t level = leading_zero_bytes(distance);
  NodeId lo, hi;
  for (size_t i = 0; i <= level && i < kNodeIdSize; ++i) lo.bytes[i] = hi.bytes[i] = distance.bytes[i];
  for (size_t i = level + 1; i < kNodeIdSize; ++i) hi.bytes[i] = 0xFF;
  const auto first = const_cast<RoutingTable*>(this)->lower_bound(lo);
  const auto last = std::upper_bound(entries_.begin(), entries_.end(), hi,
                                     [](const NodeId& d, const Entry& e) { return id_less(d, e.distance); });
  return {static_cast<size_t>(first - entries_.begin()), static_cast<size_t>(last - entries_.begin())};
}

RoutingTable::Observed RoutingTable::observe(const Contact& contact, TimePoint now) {
  if (contact.id == self_) return Observed::kRejected;
  const NodeId distance = xor_distance(contact.id, self_);
  if (auto it = find_entry(distance); it != entries_.end()) {
    if (it->failures > 0) it->endpoint = contact.endpoint;  // a moved node, once its old address failed
    if (it->endpoint == contact.endpoint) {
      it->last_seen = now;
      it->failures = 0;
    }
    return Observed::kRefreshed;
  }
  const auto [first, last] = bucket_range(distance);
  const Entry fresh{distance, contact.endpoint, now, 0, 0, TimePoint{}};
  if (last - first >= bucket_size_) {
    // Replace the bucket's most-failed contact, if any has failed at all.
    auto worst = std::max_element(entries_.begin() + static_cast<ptrdiff_t>(first),
                                  entries_.begin() + static_cast<ptrdiff_t>(last),
                                  [](const Entry& a, const Entry& b) { return a.failures < b.failures; });
    if (worst->failures == 0) return Observed::kRejected;
    entries_.erase(worst);
  }
  insert_sorted(fresh);
  return Observed::kAdded;
}

RoutingTable::Observed RoutingTable::learn(const Contact& contact, TimePoint now) {
  if (contact.id == self_) return Observed::kRejected;
  const NodeId distance = xor_distance(contact.id, self_);
  if (find_entry(distance) != entries_.end()) return Observed::kRefreshed;
  const auto [first, last] = bucket_range(distance);
  if (last - first >= bucket_size_) return Observed::kRejected;
  insert_sorted(Entry{distance, contact.endpoint, now, static_cast<uint8_t>(max_failures_ - 1), 0, TimePoint{}});
  return Observed::kAdded;
}

bool RoutingTable::record_failure(const NodeId& id) {
  auto it = find_entry(xor_distance(id, self_));
  if (it == entries_.end()) return false;
  if (++it->failures < max_failures_) return false;
  entries_.erase(it);
  return true;
}

bool RoutingTable::remove(const NodeId& id) {
  auto it = find_entry(xor_distance(id, self_));
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

void RoutingTable::collect_closest(size_t lo, size_t hi, size_t bit, const NodeId& target_distance, size_t count,
                                   std::vector<const Entry*>& out) const {
  if (lo >= hi || out.size() >= count) return;
  // A whole subtree that fits is taken as is (the caller sorts the result).
  if (hi - lo <= count - out.size() || bit == kNodeIdSize * 8) {
    for (size_t i = lo; i < hi && out.size() < count; ++i) out.push_back(&entries_[i]);
    return;
  }
  // Entries of [lo, hi) share the bits before `bit` and are sorted, so the ones
  // with `bit` set form the tail.
  const auto split = std::partition_point(entries_.begin() + static_cast<ptrdiff_t>(lo),
                                          entries_.begin() + static_cast<ptrdiff_t>(hi),
                                          [&](const Entry& e) { return !bit_set(e.distance, bit); });
  const size_t mid = static_cast<size_t>(split - entries_.begin());
  if (bit_set(target_distance, bit)) {
    collect_closest(mid, hi, bit + 1, target_distance, count, out);
    collect_closest(lo, mid, bit + 1, target_distance, count, out);
  } else {
    collect_closest(lo, mid, bit + 1, target_distance, count, out);
    collect_closest(mid, hi, bit + 1, target_distance, count, out);
  }
}

std::vector<Contact> RoutingTable::closest(const NodeId& target, size_t count) const {
  // XOR with self is a bijection that preserves XOR distances, so the entries
  // closest to target are the ones whose stored distance is closest to target ^ self.
  const NodeId target_distance = xor_distance(target, self_);
  std::vector<const Entry*> picked;
  picked.reserve(std::min(count, entries_.size()));
  collect_closest(0, entries_.size(), 0, target_distance, count, picked);
  std::sort(picked.begin(), picked.end(),
            [&](const Entry* a, const Entry* b) { return closer_to(target_distance, a->distance, b->distance); });
  std::vector<Contact> out;
  out.reserve(picked.size());
  for (const Entry* e : picked) out.push_back(contact_of(*e));
  return out;
}

std::optional<Contact> RoutingTable::find(const NodeId& id) const {
  const auto it = find_entry(xor_distance(id, self_));
  if (it == entries_.end()) return std::nullopt;
  return contact_of(*it);
}

std::optional<TimePoint> RoutingTable::last_seen(const NodeId& id) const {
  const auto it = find_entry(xor_distance(id, self_));
  if (it == entries_.end()) return std::nullopt;
  return it->last_seen;
}

void RoutingTable::set_token(const NodeId& id, uint64_t token, TimePoint now) {
  auto it = find_entry(xor_distance(id, self_));
  if (it == entries_.end()) return;
  it->token = token;
  it->token_time = now;
}

uint64_t RoutingTable::token(const NodeId& id, TimePoint now, Duration lifetime) const {
  const auto it = find_entry(xor_distance(id, self_));
  if (it == entries_.end() || now - it->token_time >= lifetime) return 0;
  return it->token;
}

std::vector<Contact> RoutingTable::sample(size_t count, Random& random) const {
  std::vector<Contact> out;
  const size_t n = entries_.size();
  count = std::min(count, n);
  // Floyd's algorithm: `count` distinct indices with `count` draws.
  std::vector<size_t> chosen;
  for (size_t j = n - count; j < n; ++j) {
    const size_t t = random.uniform(j + 1);
    chosen.push_back(std::find(chosen.begin(), chosen.end(), t) == chosen.end() ? t : j);
  }
  for (const size_t i : chosen) out.push_back(contact_of(entries_[i]));
  return out;
}

}  // namespace koe
