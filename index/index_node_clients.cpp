// IndexNode: requests from attached ordinary nodes (attach, keepalive, publish,
// lookup, name search). In the real node these arrive inside the client's secure
// session; the address token and the attach registration are checked either way.
#include <algorithm>

#include "index/index_node.hpp"

namespace koe {

bool IndexNode::admit_client_request(const RequestContext& ctx) {
  auto it = clients_.find(ctx.from);
  if (it == clients_.end() || it->second.id != ctx.request.sender) {
    respond(ctx.from, ctx.request, ctx.size, ctx.proven, ErrorResponse{ErrorCode::kNotAttached});
    return false;
  }
  if (!ctx.proven) {
    respond(ctx.from, ctx.request, ctx.size, false, ErrorResponse{ErrorCode::kNeedToken});
    return false;
  }
  it->second.last_seen = ctx.now;
  if (operations_.size() >= config_.max_operations) {
    respond(ctx.from, ctx.request, ctx.size, true, ErrorResponse{ErrorCode::kBusy});
    return false;
  }
  return true;
}

void IndexNode::handle(const RequestContext& ctx, const AttachRequest& body) {
  auto it = clients_.find(ctx.from);
  if (it == clients_.end()) {
    if (clients_.size() >= config_.max_clients) {
      return respond(ctx.from, ctx.request, ctx.size, ctx.proven, ErrorResponse{ErrorCode::kBusy});
    }
    // Full, or leaving: the client tries its next supernode at once.
    const bool at_capacity = offer_.client_capacity > 0 && clients_.size() >= offer_.client_capacity;
    if (handing_over_ || (at_capacity && !body.last_resort)) {
      ++counters_.refused_full;
      return respond(ctx.from, ctx.request, ctx.size, ctx.proven,
                     ErrorResponse{ErrorCode::kFull, routing_.sample(kMaxAttachHints, random_)});
    }
    it = clients_.emplace(ctx.from, Client{ctx.request.sender, ctx.now, false}).first;
  }
  it->second.id = ctx.request.sender;
  it->second.last_seen = ctx.now;
  set_eligible(it->second, body.eligible);
  respond(ctx.from, ctx.request, ctx.size, ctx.proven,
          AttachedResponse{ctx.from, routing_.sample(kMaxAttachHints, random_), config_.public_key, load()});
}

void IndexNode::handle(const RequestContext& ctx, const KeepaliveRequest& body) {
  auto it = clients_.find(ctx.from);
  if (it == clients_.end() || it->second.id != ctx.request.sender) {
    return respond(ctx.from, ctx.request, ctx.size, ctx.proven, ErrorResponse{ErrorCode::kNotAttached});
  }
  it->second.last_seen = ctx.now;
  set_eligible(it->second, body.eligible);
  respond(ctx.from, ctx.request, ctx.size, ctx.proven, KeepaliveAckResponse{load()});
}

void IndexNode::handle(const RequestContext&, const HandoverRequest&) { ++counters_.unexpected; }

void IndexNode::set_eligible(Client& client, bool eligible) {
  if (client.eligible == eligible) return;
  client.eligible = eligible;
  if (eligible) {
    ++eligible_clients_;
  } else {
    --eligible_clients_;
  }
}

void IndexNode::forget_client(const Endpoint& endpoint) {
  auto it = clients_.find(endpoint);
  if (it == clients_.end()) return;
  set_eligible(it->second, false);
  clients_.erase(it);
}

void IndexNode::set_offer(const SupernodeLoad& offer) { offer_ = offer; }

SupernodeLoad IndexNode::load() const {
  SupernodeLoad load = offer_;
  load.clients = static_cast<uint32_t>(clients_.size());
  load.eligible_clients = eligible_clients_;
  return load;
}

void IndexNode::handle(const RequestContext& ctx, const PublishRequest& body) {
  if (!admit_client_request(ctx)) return;
  const auto verified = verify_record(body.record, unix_now(ctx.now), max_lifetime_seconds());
  if (!verified || verified->id != ctx.request.sender) {
    ++counters_.invalid_records;
    return respond(ctx.from, ctx.request, ctx.size, true, ErrorResponse{ErrorCode::kBadRequest});
  }
  const uint32_t op_id = create_operation(ctx.now, OperationPurpose::kPublishRecord, QueryKind::kFindNode, verified->id);
  if (op_id == 0) return respond(ctx.from, ctx.request, ctx.size, true, ErrorResponse{ErrorCode::kBusy});
  Operation& op = operations_.at(op_id);
  op.client = ctx.from;
  op.client_txid = ctx.request.txid;
  op.record = body.record;
  pump(ctx.now, op_id);
  // Keyword entries live as long as the record does.
  for (const std::string& keyword : name_keywords(verified->display_name)) {
    const uint32_t kw_id =
        create_operation(ctx.now, OperationPurpose::kPublishKeyword, QueryKind::kFindNode, keyword_key(keyword));
    if (kw_id == 0) break;
    Operation& kw = operations_.at(kw_id);
    kw.entry = KeywordEntry{verified->id, verified->expires_at};
    pump(ctx.now, kw_id);
  }
}

void IndexNode::handle(const RequestContext& ctx, const LookupRequest& body) {
  if (!admit_client_request(ctx)) return;
  if (const StoredRecord* held = records_.get(body.target, ctx.now)) {
    return respond(ctx.from, ctx.request, ctx.size, true, LookupResultResponse{0, held->encoded});
  }
  const uint32_t op_id = create_operation(ctx.now, OperationPurpose::kClientLookup, QueryKind::kFindRecord, body.target);
  Operation& op = operations_.at(op_id);  // admit_client_request checked there is room
  op.client = ctx.from;
  op.client_txid = ctx.request.txid;
  pump(ctx.now, op_id);
}

void IndexNode::handle(const RequestContext& ctx, const SearchRequest& body) {
  if (!admit_client_request(ctx)) return;
  auto query = parse_name_query(body.query);
  if (!query) return respond(ctx.from, ctx.request, ctx.size, true, ErrorResponse{ErrorCode::kBadRequest});
  const uint32_t search_id = next_search_++;
  if (next_search_ == 0) next_search_ = 1;
  Search& search = searches_[search_id];
  search.client = ctx.from;
  search.client_txid = ctx.request.txid;
  search.query = std::move(*query);
  search.after = body.after;
  start_keyword_stage(ctx.now, search_id, search.query.keyword);
}

void IndexNode::start_keyword_stage(TimePoint now, uint32_t search_id, const std::string& keyword) {
  Search& search = searches_.at(search_id);
  const NodeId key = keyword_key(keyword);
  const uint32_t op_id = create_operation(now, OperationPurpose::kSearchKeyword, QueryKind::kFindKeyword, key);
  if (op_id == 0) {
    send_response(search.client, search.client_txid, ErrorResponse{ErrorCode::kBusy});
    searches_.erase(search_id);
    return;
  }
  Operation& op = operations_.at(op_id);
  op.search = search_id;
  op.keyword_after = search.after;
  if (keywords_.contains(key)) {  // our own replica counts as one holder's answer
    KeywordPage page = keywords_.get(key, search.after, config_.search_page_hits + 1, unix_now(now));
    op.hits = std::move(page.hits);
    op.hits_total = static_cast<uint16_t>(std::min<size_t>(page.total, UINT16_MAX));
    op.hit_answers = page.total > 0 ? 1 : 0;
  }
  pump(now, op_id);
}

void IndexNode::on_search_keyword_done(TimePoint now, Operation& op) {
  auto it = searches_.find(op.search);
  if (it == searches_.end()) return;
  Search& search = it->second;
  if (op.hits.empty() && !search.on_fallback && search.query.fallback_keyword) {
    search.on_fallback = true;
    return start_keyword_stage(now, op.search, *search.query.fallback_keyword);
  }
  search.total = op.hits_total;
  const size_t page = std::min(op.hits.size(), config_.search_page_hits);
  search.more = op.hits.size() > page;
  search.page.assign(op.hits.begin(), op.hits.begin() + static_cast<ptrdiff_t>(page));
  search.found.assign(page, std::nullopt);
  search.pending = 1;  // held until every fetch has started, so none can finish the search early
  for (size_t slot = 0; slot < page; ++slot) {
    const NodeId& user = op.hits[slot].user;
    if (const StoredRecord* held = records_.get(user, now)) {
      search.found[slot] = held->encoded;
      continue;
    }
    const uint32_t fetch = create_operation(now, OperationPurpose::kSearchRecord, QueryKind::kFindRecord, user);
    if (fetch == 0) continue;
    Operation& f = operations_.at(fetch);
    f.search = op.search;
    f.search_slot = slot;
    ++search.pending;
    pump(now, fetch);
  }
  if (--search.pending == 0) finish_search(op.search);
}

void IndexNode::on_search_record_done(TimePoint, const Operation& op) {
  auto it = searches_.find(op.search);
  if (it == searches_.end()) return;
  if (op.found && op.search_slot < it->second.found.size()) it->second.found[op.search_slot] = op.found;
  if (--it->second.pending == 0) finish_search(op.search);
}

void IndexNode::finish_search(uint32_t search_id) {
  auto node = searches_.extract(search_id);
  if (node.empty()) return;
  const Search& search = node.mapped();
  SearchResultResponse result;
  result.total = search.total;
  // header, kind, txid, responder, token, total, next cursor, record count
  size_t size = wire::kHeaderSize + 1 + 4 + kNodeIdSize + 8 + 2 + 1 + kNodeIdSize + 8 + 1;
  size_t consumed = 0;
  for (const auto& record : search.found) {
    if (record) {
      const auto decoded = decode_record(*record);
      const bool matches = decoded && name_matches(search.query, decoded->record.display_name);
      if (matches) {
        if (size + 2 + record->size() > wire::kMaxDatagramSize || result.records.size() >= kMaxSearchRecords) break;
        size += 2 + record->size();
        result.records.push_back(*record);
      }
    }
    ++consumed;  // hits that did not fit start the next page
  }
  if (search.more || consumed < search.page.size()) {
    result.next = consumed > 0 ? search.page[consumed - 1] : search.after;
  }
  send_response(search.client, search.client_txid, std::move(result));
}

}  // namespace koe
