// IndexNode: lookups run on behalf of operations (client lookups and searches,
// publishing, joining), and what each operation does when its lookup ends.
#include <algorithm>

#include "index/id_order.hpp"
#include "index/index_node.hpp"

namespace koe {

namespace {
// kNeedToken answers re-asked per operation: a node that keeps refusing our
// token (it rotated twice, or it is broken) must not hold a lookup forever.
constexpr uint8_t kMaxTokenRetries = 4;
}  // namespace

uint32_t IndexNode::create_operation(TimePoint now, OperationPurpose purpose, QueryKind query, const NodeId& target) {
  if (operations_.size() >= config_.max_operations) return 0;
  const uint32_t id = next_operation_++;
  if (next_operation_ == 0) next_operation_ = 1;
  const auto seeds = routing_.closest(target, config_.replication);
  operations_.emplace(id, Operation(purpose, query, Lookup(target, seeds, config_.replication, config_.parallelism), now));
  return id;
}

void IndexNode::pump(TimePoint now, uint32_t op_id) {
  auto it = operations_.find(op_id);
  if (it == operations_.end()) return;
  Operation& op = it->second;
  // Publishing needs only where the k closest are: their answers add nothing.
  const bool placing = op.purpose == OperationPurpose::kPublishRecord || op.purpose == OperationPurpose::kPublishKeyword;
  if (op.lookup.finished() || (placing && op.lookup.converged())) return finish_operation(now, op_id);
  for (const Contact& to : op.lookup.take_queries()) send_query(now, op_id, op, to);
}

void IndexNode::send_query(TimePoint now, uint32_t op_id, Operation& op, const Contact& to) {
  const NodeId& target = op.lookup.target();
  RequestBody body = FindNodeRequest{target};
  if (op.query == QueryKind::kFindRecord) body = FindRecordRequest{target};
  if (op.query == QueryKind::kFindKeyword) {
    // One more than a page, to learn whether another page follows.
    body = FindKeywordRequest{target, op.keyword_after, static_cast<uint8_t>(config_.search_page_hits + 1)};
  }
  if (send_request(now, to, std::move(body), RpcPurpose::kLookup, op_id) == 0) op.lookup.on_failure(to.id);
}

void IndexNode::on_operation_answer(TimePoint now, uint32_t op_id, const Contact& from, const IndexResponse& response,
                                    size_t size) {
  auto it = operations_.find(op_id);
  if (it == operations_.end()) return;
  Operation& op = it->second;
  ++op.messages;
  op.bytes += size;
  bool done = false;
  if (const auto* nodes = std::get_if<NodesResponse>(&response.body)) {
    learn(now, nodes->contacts);
    std::vector<Contact> closer = nodes->contacts;
    std::erase_if(closer, [&](const Contact& c) { return c.id == self_; });
    op.lookup.on_answer(from.id, closer, response.token);
  } else if (const auto* record = std::get_if<RecordResponse>(&response.body);
             record != nullptr && op.query == QueryKind::kFindRecord) {
    const auto verified = verify_record(record->record, unix_now(now), max_lifetime_seconds());
    if (verified && verified->id == op.lookup.target()) {
      op.found = record->record;
      op.found_hops = op.lookup.depth(from.id);
      done = true;
    } else {
      ++counters_.invalid_records;
    }
    op.lookup.on_answer(from.id, {}, response.token);
  } else if (const auto* hits = std::get_if<KeywordHitsResponse>(&response.body);
             hits != nullptr && op.query == QueryKind::kFindKeyword) {
    for (const KeywordEntry& hit : hits->hits) {
      auto held = std::find_if(op.hits.begin(), op.hits.end(), [&](const KeywordEntry& e) { return e.user == hit.user; });
      if (held == op.hits.end()) {
        op.hits.insert(std::lower_bound(op.hits.begin(), op.hits.end(), hit, keyword_order), hit);
      }
    }
    op.hits_total = std::max(op.hits_total, hits->total);
    if (hits->total > 0) {
      op.found_hops = std::max(op.found_hops, op.lookup.depth(from.id));
      // Two holders' lists together cover a store one of them missed.
      done = ++op.hit_answers >= 2;
    }
    op.lookup.on_answer(from.id, {}, response.token);
  } else if (const auto* error = std::get_if<ErrorResponse>(&response.body);
             error != nullptr && error->code == ErrorCode::kNeedToken && op.token_retries < kMaxTokenRetries) {
    ++op.token_retries;
    send_query(now, op_id, op, from);  // the answer carried our token: ask again
    return;
  } else {
    op.lookup.on_answer(from.id, {}, response.token);
  }
  if (done) return finish_operation(now, op_id);
  pump(now, op_id);
}

void IndexNode::on_operation_slow(TimePoint now, uint32_t op_id, const Contact& to) {
  auto it = operations_.find(op_id);
  if (it == operations_.end()) return;
  it->second.lookup.on_slow(to.id);
  pump(now, op_id);
}

void IndexNode::on_operation_failure(TimePoint now, uint32_t op_id, const Contact& to) {
  auto it = operations_.find(op_id);
  if (it == operations_.end()) return;
  it->second.lookup.on_failure(to.id);
  pump(now, op_id);
}

std::vector<Contact> IndexNode::replica_targets(const NodeId& key, std::vector<Contact> answered) const {
  answered.push_back(Contact{self_, Endpoint{}});
  std::sort(answered.begin(), answered.end(),
            [&](const Contact& a, const Contact& b) { return closer_to(key, a.id, b.id); });
  answered.erase(std::unique(answered.begin(), answered.end(), [](const Contact& a, const Contact& b) { return a.id == b.id; }),
                 answered.end());
  if (answered.size() > config_.replication) answered.resize(config_.replication);
  return answered;
}

void IndexNode::finish_operation(TimePoint now, uint32_t op_id) {
  auto node = operations_.extract(op_id);
  if (node.empty()) return;
  Operation& op = node.mapped();
  const NodeId& target = op.lookup.target();
  const bool found = op.query == QueryKind::kFindNode      ? !op.lookup.closest_answered().empty()
                     : op.query == QueryKind::kFindRecord ? op.found.has_value()
                                                          : op.hit_answers > 0;
  const uint8_t hops = op.found || op.hit_answers > 0 ? op.found_hops : op.lookup.hops();
  events_.push_back(LookupCompleted{op.purpose, found, hops, op.messages, op.bytes, now - op.started});

  switch (op.purpose) {
    case OperationPurpose::kClientLookup:
      send_response(op.client, op.client_txid, LookupResultResponse{hops, op.found});
      break;
    case OperationPurpose::kPublishRecord: {
      uint8_t replicas = 0;
      for (const Contact& to : replica_targets(target, op.lookup.closest_known())) {
        if (to.id == self_) {
          store_verified(now, op.record);
        } else {
          send_store(now, to, StoreRecordRequest{op.record}, op.lookup.token(to.id));
        }
        ++replicas;
      }
      send_response(op.client, op.client_txid, PublishedResponse{replicas});
      break;
    }
    case OperationPurpose::kPublishKeyword:
      for (const Contact& to : replica_targets(target, op.lookup.closest_known())) {
        if (to.id == self_) {
          keywords_.put(target, op.entry, unix_now(now));
        } else {
          send_store(now, to, StoreKeywordRequest{target, {op.entry}}, op.lookup.token(to.id));
        }
      }
      break;
    case OperationPurpose::kSearchKeyword:
      on_search_keyword_done(now, op);
      break;
    case OperationPurpose::kSearchRecord:
      on_search_record_done(now, op);
      break;
    case OperationPurpose::kJoin:
      // Now that our neighbourhood knows us, fill every first-level bucket and
      // learn the rest of our own first-byte group.
      for (unsigned b = 0; b < 256; ++b) {
        if (b != self_.bytes[0]) refresh_buckets(now, 1, static_cast<uint8_t>(b));
      }
      refresh_buckets(now, config_.refresh_lookups, self_.bytes[0]);
      break;
  }
}

}  // namespace koe
