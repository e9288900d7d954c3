#include "net/rate_limiter.hpp"

#include <algorithm>

namespace koe {

RateLimiter::RateLimiter(RateLimiterConfig config)
    : config_(config),
      cost_(1'000'000 / std::max<uint32_t>(config.per_second, 1)),
      capacity_(cost_ * std::max<uint32_t>(config.burst, 1)) {
  config_.max_sources = std::max<size_t>(config_.max_sources, 1);
}

bool RateLimiter::allow(TimePoint now, uint32_t source_ip) {
  auto found = index_.find(source_ip);
  if (found == index_.end()) {
    if (index_.size() >= config_.max_sources) {
      index_.erase(lru_.back().ip);
      lru_.pop_back();
    }
    lru_.push_front(Bucket{source_ip, now, capacity_ - cost_});
    index_.emplace(source_ip, lru_.begin());
    return true;
  }
  lru_.splice(lru_.begin(), lru_, found->second);
  Bucket& bucket = *found->second;
  // A clock that went backwards (a driver bug) earns no credit rather than a wrap.
  const int64_t elapsed = std::max<int64_t>((now - bucket.last).count(), 0);
  bucket.last = std::max(bucket.last, now);
  bucket.credit = std::min(capacity_, bucket.credit + std::min(elapsed, capacity_));
  if (bucket.credit < cost_) return false;
  bucket.credit -= cost_;
  return true;
}

}  // namespace koe
