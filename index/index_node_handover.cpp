// IndexNode: the graceful leave. Attached clients are told where to go, and what we
// hold is pushed to the other supernodes closest to each key, so nothing is lost when
// we stop.
#include "index/index_node.hpp"

namespace koe {

void IndexNode::begin_handover(TimePoint now) {
  if (handing_over_) return;
  handing_over_ = true;
  push_everything_held(now);
  send_handover_round(now);
}

bool IndexNode::handover_done() const {
  return handing_over_ && clients_.empty() && repair_queue_.empty() && awaiting_token_.empty() &&
         !rpcs_.waiting_for(RpcPurpose::kStore);
}

void IndexNode::send_handover_round(TimePoint now) {
  if (handover_rounds_ >= kHandoverSends) {  // the silent ones are given up
    std::vector<Endpoint> silent;
    for (const auto& [endpoint, client] : clients_) silent.push_back(endpoint);
    for (const Endpoint& endpoint : silent) forget_client(endpoint);
  }
  if (clients_.empty()) {
    next_handover_round_ = kNever;
    handover_txids_.clear();
    return;
  }
  ++handover_rounds_;
  for (const auto& [endpoint, client] : clients_) {
    IndexRequest request;
    do {
      request.txid = static_cast<uint32_t>(random_.next_u64());
    } while (request.txid == 0 || handover_txids_.count(request.txid) != 0);
    request.sender = self_;
    request.role = SenderRole::kSupernode;
    // The live supernodes closest to the client's ID: clients spread over the overlay.
    request.body = HandoverRequest{routing_.closest(client.id, kMaxAttachHints)};
    if (auto bytes = encode_request(request)) {
      handover_txids_.emplace(request.txid, endpoint);
      ++counters_.handovers_sent;
      send(endpoint, std::move(*bytes));
    }
  }
  next_handover_round_ = now + kHandoverResend;
}

bool IndexNode::on_handover_ack(const Endpoint& from, const IndexResponse& response) {
  const auto it = handover_txids_.find(response.txid);
  const bool ack = std::holds_alternative<HandoverAckResponse>(response.body);
  if (it == handover_txids_.end() || it->second != from || !ack) return false;
  handover_txids_.erase(it);
  forget_client(from);
  return true;
}

void IndexNode::push_everything_held(TimePoint now) {
  // The routing table never holds us: these are the k closest *other* supernodes.
  records_.for_each([&](const NodeId& id, const StoredRecord& record) {
    if (record.expires <= now) return;
    for (const Contact& to : routing_.closest(id, config_.replication)) {
      queue_repair(now, to, StoreRecordRequest{record.encoded});
    }
  });
  keywords_.for_each([&](const NodeId& key, const std::vector<KeywordEntry>& entries) {
    for (const Contact& to : routing_.closest(key, config_.replication)) queue_keyword_batches(now, key, entries, to);
  });
}

}  // namespace koe
