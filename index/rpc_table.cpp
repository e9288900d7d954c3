#include "index/rpc_table.hpp"

#include <algorithm>

namespace koe {

uint32_t RpcTable::add(Random& random, PendingRpc rpc) {
  uint32_t txid = 0;
  do {
    txid = static_cast<uint32_t>(random.next_u64());
  } while (txid == 0 || pending_.count(txid) != 0);
  deadlines_.emplace(rpc.soft_deadline, txid);
  deadlines_.emplace(rpc.deadline, txid);
  pending_.emplace(txid, std::move(rpc));
  return txid;
}

const PendingRpc* RpcTable::find(uint32_t txid) const {
  const auto it = pending_.find(txid);
  return it == pending_.end() ? nullptr : &it->second;
}

std::optional<PendingRpc> RpcTable::take(uint32_t txid) {
  auto it = pending_.find(txid);
  if (it == pending_.end()) return std::nullopt;
  PendingRpc rpc = std::move(it->second);
  pending_.erase(it);
  return rpc;
}

void RpcTable::expire(TimePoint now, std::vector<PendingRpc>& newly_slow, std::vector<PendingRpc>& failed) {
  while (!deadlines_.empty() && deadlines_.top().first <= now) {
    const auto [at, txid] = deadlines_.top();
    deadlines_.pop();
    auto it = pending_.find(txid);
    if (it == pending_.end()) continue;
    if (at >= it->second.deadline) {
      failed.push_back(std::move(it->second));
      pending_.erase(it);
    } else if (!it->second.slow && at >= it->second.soft_deadline) {
      it->second.slow = true;
      newly_slow.push_back(it->second);
    }
  }
  // Answered RPCs leave their deadlines behind; rebuild when they dominate.
  if (deadlines_.size() > 4 * pending_.size() + 64) {
    decltype(deadlines_) live;
    for (const auto& [txid, rpc] : pending_) {
      if (!rpc.slow) live.emplace(rpc.soft_deadline, txid);
      live.emplace(rpc.deadline, txid);
    }
    deadlines_ = std::move(live);
  }
}

TimePoint RpcTable::next_deadline() const { return deadlines_.empty() ? kNever : deadlines_.top().first; }

bool RpcTable::waiting_on(const Endpoint& endpoint, RpcPurpose purpose) const {
  return std::any_of(pending_.begin(), pending_.end(), [&](const auto& item) {
    return item.second.purpose == purpose && item.second.to.endpoint == endpoint;
  });
}

bool RpcTable::waiting_for(RpcPurpose purpose) const {
  return std::any_of(pending_.begin(), pending_.end(), [&](const auto& item) { return item.second.purpose == purpose; });
}

}  // namespace koe
