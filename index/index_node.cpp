// IndexNode: datagrams in and out, and the supernode-to-supernode RPCs.
#include "index/index_node.hpp"

#include <algorithm>

namespace koe {

IndexNode::IndexNode(const NodeId& self, Random& random, IndexNodeConfig config)
    : self_(self),
      random_(random),
      config_(config),
      routing_(self, config.bucket_size, config.max_failures),
      records_(config.max_records),
      keywords_(config.keyword_cap, config.max_keyword_entries),
      tokens_(random, config.token_rotation),
      rate_(config.rate) {}

void IndexNode::on_datagram(TimePoint now, const Endpoint& from, ByteView datagram) {
  tokens_.on_timer(now);  // starts the token rotation at the first datagram
  ++counters_.datagrams_in;
  counters_.bytes_in += datagram.size();
  const auto header = wire::decode_header(datagram);
  if (!header) {
    ++counters_.malformed;
    return;
  }
  if (header->type == wire::PacketType::kIndexRequest) {
    // The cheap per-source limit comes before any decoding or crypto.
    if (!rate_.allow(now, from.ip)) {
      ++counters_.rate_limited;
      return;
    }
    const auto request = decode_request(datagram);
    if (!request) {
      ++counters_.malformed;
      return;
    }
    on_request(now, from, *request, datagram.size());
  } else if (header->type == wire::PacketType::kIndexResponse) {
    const auto response = decode_response(datagram);
    if (!response) {
      ++counters_.malformed;
      return;
    }
    on_response(now, from, *response, datagram.size());
  } else {
    ++counters_.malformed;
  }
}

void IndexNode::on_request(TimePoint now, const Endpoint& from, const IndexRequest& request, size_t size) {
  const bool proven = tokens_.check(from, request.token);
  // Only a proven source may enter the routing table: a spoofed request must not
  // make us send RPCs to its victim.
  if (proven && request.role == SenderRole::kSupernode) observe(now, Contact{request.sender, from});
  const RequestContext ctx{now, from, request, size, proven};
  std::visit([&](const auto& body) { handle(ctx, body); }, request.body);
}

void IndexNode::on_response(TimePoint now, const Endpoint& from, const IndexResponse& response, size_t size) {
  if (on_handover_ack(from, response)) return;
  const PendingRpc* pending = rpcs_.find(response.txid);
  if (pending == nullptr || pending->to.endpoint != from) {  // not from whom we asked: keep waiting
    ++counters_.unexpected;
    return;
  }
  const auto rpc = rpcs_.take(response.txid);
  const bool bootstrap = rpc->purpose == RpcPurpose::kBootstrap;
  if (!bootstrap && response.responder != rpc->to.id) {
    // Another node answers at that endpoint now: the contact we knew is gone.
    if (rpc->purpose == RpcPurpose::kLookup) on_operation_failure(now, rpc->operation, rpc->to);
    on_contact_failed(now, rpc->to.id);
    return;
  }
  const Contact contact{response.responder, from};
  observe(now, contact);
  routing_.set_token(contact.id, response.token, now);
  flush_awaiting(now, from, response.token);
  switch (rpc->purpose) {
    case RpcPurpose::kLookup:
      on_operation_answer(now, rpc->operation, contact, response, size);
      break;
    case RpcPurpose::kBootstrap:
    case RpcPurpose::kRefresh:
      if (const auto* nodes = std::get_if<NodesResponse>(&response.body)) learn(now, nodes->contacts);
      if (bootstrap && !joined_) start_join(now);
      break;
    case RpcPurpose::kPing:
      if (const auto* pong = std::get_if<PongResponse>(&response.body)) note_peer_load(now, contact.id, pong->load);
      break;
    case RpcPurpose::kStore:
      break;
  }
}

uint32_t IndexNode::send_request(TimePoint now, const Contact& to, RequestBody body, RpcPurpose purpose,
                                 uint32_t operation, uint64_t token) {
  IndexRequest request;
  request.token = token != 0 ? token : known_token(now, to.id);
  request.sender = self_;
  request.role = SenderRole::kSupernode;
  request.body = std::move(body);
  if (request.token == 0) {
    // Without a token the responder may answer only kAmplificationFactor times our size.
    const size_t unpadded = unpadded_request_size(request);
    if (unpadded < kUnprovenRequestSize) request.padding = static_cast<uint16_t>(kUnprovenRequestSize - unpadded);
  }
  request.txid = rpcs_.add(random_, PendingRpc{to, purpose, operation, now + config_.rpc_soft_timeout,
                                               now + config_.rpc_timeout, false});
  auto bytes = encode_request(request);
  if (!bytes) {
    rpcs_.take(request.txid);
    return 0;
  }
  if (operation != 0) {
    if (auto it = operations_.find(operation); it != operations_.end()) {
      ++it->second.messages;
      it->second.bytes += bytes->size();
    }
  }
  send(to.endpoint, std::move(*bytes));
  return request.txid;
}

void IndexNode::respond(const Endpoint& to, const IndexRequest& request, size_t request_size, bool proven,
                        ResponseBody body) {
  IndexResponse response{request.txid, self_, tokens_.issue(to), std::move(body)};
  auto bytes = encode_response(response);
  if (bytes && !proven && bytes->size() > kAmplificationFactor * request_size) {
    ++counters_.need_token;
    response.body = ErrorResponse{ErrorCode::kNeedToken};
    bytes = encode_response(response);
  }
  if (bytes) send(to, std::move(*bytes));
}

void IndexNode::send_response(const Endpoint& to, uint32_t txid, ResponseBody body) {
  auto bytes = encode_response(IndexResponse{txid, self_, tokens_.issue(to), std::move(body)});
  if (bytes) send(to, std::move(*bytes));
}

void IndexNode::send(const Endpoint& to, Bytes bytes) {
  ++counters_.datagrams_out;
  counters_.bytes_out += bytes.size();
  outbox_.push_back(OutDatagram{to, std::move(bytes)});
}

void IndexNode::handle(const RequestContext& ctx, const PingRequest&) {
  respond(ctx.from, ctx.request, ctx.size, ctx.proven, PongResponse{ctx.from, load()});
}

void IndexNode::handle(const RequestContext& ctx, const FindNodeRequest& body) {
  auto closest = routing_.closest(body.target, config_.replication + 1);
  std::erase_if(closest, [&](const Contact& c) { return c.id == ctx.request.sender; });
  closest.resize(std::min(closest.size(), std::min(config_.replication, kMaxContactsPerResponse)));
  respond(ctx.from, ctx.request, ctx.size, ctx.proven, NodesResponse{std::move(closest)});
}

void IndexNode::handle(const RequestContext& ctx, const FindRecordRequest& body) {
  if (const StoredRecord* held = records_.get(body.target, ctx.now)) {
    respond(ctx.from, ctx.request, ctx.size, ctx.proven, RecordResponse{held->encoded});
  } else {
    handle(ctx, FindNodeRequest{body.target});
  }
}

void IndexNode::handle(const RequestContext& ctx, const FindKeywordRequest& body) {
  if (!keywords_.contains(body.key)) return handle(ctx, FindNodeRequest{body.key});
  KeywordPage page = keywords_.get(body.key, body.after, body.max_hits, unix_now(ctx.now));
  respond(ctx.from, ctx.request, ctx.size, ctx.proven,
          KeywordHitsResponse{static_cast<uint16_t>(std::min<size_t>(page.total, UINT16_MAX)), std::move(page.hits)});
}

void IndexNode::handle(const RequestContext& ctx, const StoreRecordRequest& body) {
  if (!ctx.proven) return respond(ctx.from, ctx.request, ctx.size, false, ErrorResponse{ErrorCode::kNeedToken});
  StoreStatus status = StoreStatus::kInvalid;
  if (const auto decoded = decode_record(body.record)) {
    // A replica we hold byte for byte was verified when it first arrived.
    if (records_.holds_identical(decoded->record.id, body.record, ctx.now)) {
      status = StoreStatus::kUnchanged;
    } else if (verify_record(body.record, unix_now(ctx.now), max_lifetime_seconds())) {
      status = store_verified(ctx.now, body.record);
    } else {
      ++counters_.invalid_records;
    }
  }
  respond(ctx.from, ctx.request, ctx.size, true, StoredResponse{status});
}

void IndexNode::handle(const RequestContext& ctx, const StoreKeywordRequest& body) {
  if (!ctx.proven) return respond(ctx.from, ctx.request, ctx.size, false, ErrorResponse{ErrorCode::kNeedToken});
  StoreStatus status = StoreStatus::kUnchanged;
  const uint64_t unix = unix_now(ctx.now);
  for (const KeywordEntry& e : body.entries) {
    if (e.expires_at > unix + max_lifetime_seconds()) {
      status = StoreStatus::kInvalid;
      continue;
    }
    const StoreStatus s = keywords_.put(body.key, e, unix);
    if (s == StoreStatus::kStored) {
      ++counters_.replica_stores;
      if (status == StoreStatus::kUnchanged) status = s;
    } else if (s == StoreStatus::kFull) {
      status = s;
    }
  }
  respond(ctx.from, ctx.request, ctx.size, true, StoredResponse{status});
}

void IndexNode::on_timer(TimePoint now) {
  tokens_.on_timer(now);
  std::vector<PendingRpc> slow, failed;
  rpcs_.expire(now, slow, failed);
  for (const PendingRpc& rpc : slow) {
    if (rpc.purpose == RpcPurpose::kLookup) on_operation_slow(now, rpc.operation, rpc.to);
  }
  for (const PendingRpc& rpc : failed) {
    if (rpc.purpose == RpcPurpose::kLookup) on_operation_failure(now, rpc.operation, rpc.to);
    if (rpc.purpose == RpcPurpose::kPing) awaiting_token_.erase(rpc.to.endpoint);
    if (rpc.purpose != RpcPurpose::kBootstrap) on_contact_failed(now, rpc.to.id);
  }
  if (now >= bootstrap_due_) send_bootstrap(now);
  if (now >= next_neighbour_ping_) ping_neighbours(now);
  if (now >= next_load_ping_) ping_for_loads(now);
  if (now >= next_refresh_) {
    next_refresh_ = now + config_.bucket_refresh_interval;
    refresh_buckets(now, config_.refresh_lookups, false);
  }
  if (now >= repair_due_) repair(now);
  if (now >= next_repair_send_) send_repairs(now);
  if (now >= next_sweep_) sweep_expired(now);
  if (now >= next_handover_round_) send_handover_round(now);
}

TimePoint IndexNode::next_timeout() const {
  return std::min({rpcs_.next_deadline(), tokens_.next_rotation(), bootstrap_due_, next_neighbour_ping_, next_load_ping_,
                   next_refresh_, repair_due_,
                   next_repair_send_, next_sweep_, next_handover_round_});
}

}  // namespace koe
