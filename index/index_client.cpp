#include "index/index_client.hpp"

#include <algorithm>

#include "index/name_search.hpp"

namespace koe {

namespace {
// An Attach is answered with up to four fallback supernodes, the supernode's key and
// its load (208 bytes in all); padding it to this size keeps that answer within the
// amplification budget.
constexpr size_t kAttachRequestSize = 70;
// Lookups and searches waiting at once; more are refused at once (kRejected).
constexpr size_t kMaxPendingRequests = 256;
}  // namespace

IndexClient::IndexClient(const RecordSigner& signer, Random& random, IndexClientConfig config)
    : signer_(signer),
      id_(node_id_from_public_key(signer.public_key())),
      random_(random),
      config_(config),
      rtt_(config.initial_request_timeout, config.min_request_timeout, config.max_request_timeout) {}

void IndexClient::add_supernodes(std::span<const Endpoint> endpoints) {
  for (const Endpoint& e : endpoints) {
    if (host_cache_.size() >= config_.host_cache_size) break;
    if (std::find(host_cache_.begin(), host_cache_.end(), e) == host_cache_.end()) host_cache_.push_back(e);
  }
}

bool IndexClient::end_of_round() {
  if (++failed_attaches_ < host_cache_.size()) return false;
  // Every supernode we know was tried: the next round insists if any had no room.
  failed_attaches_ = 0;
  all_full_ = saw_full_;
  saw_full_ = false;
  return true;
}

void IndexClient::try_next(std::span<const Contact> supernodes) {
  size_t at = host_cache_.empty() ? 0 : cursor_ % host_cache_.size() + 1;
  for (const Contact& s : supernodes) {
    if (host_cache_.size() >= config_.host_cache_size) break;
    if (std::find(host_cache_.begin(), host_cache_.end(), s.endpoint) != host_cache_.end()) continue;
    host_cache_.insert(host_cache_.begin() + static_cast<std::ptrdiff_t>(at++), s.endpoint);
  }
}

void IndexClient::set_profile(TimePoint now, ClientProfile profile) {
  profile_ = std::move(profile);
  publish(now);
}

void IndexClient::start(TimePoint now) { attach(now); }

std::optional<Contact> IndexClient::supernode() const {
  if (state_ != State::kAttached) return std::nullopt;
  return supernode_;
}

uint32_t IndexClient::send(TimePoint now, const Endpoint& to, RequestBody body, Purpose purpose, uint32_t request) {
  IndexRequest message;
  message.token = token_;
  message.sender = id_;
  message.role = SenderRole::kClient;
  message.body = std::move(body);
  if (purpose == Purpose::kAttach) {
    const size_t unpadded = unpadded_request_size(message);
    if (unpadded < kAttachRequestSize) message.padding = static_cast<uint16_t>(kAttachRequestSize - unpadded);
  }
  do {
    message.txid = static_cast<uint32_t>(random_.next_u64());
  } while (message.txid == 0 || in_flight_.count(message.txid) != 0);
  auto bytes = encode_request(message);
  if (!bytes) return 0;
  in_flight_[message.txid] = InFlight{purpose, to, request, now, now + timeout_for(purpose)};
  outbox_.push_back(OutDatagram{to, std::move(*bytes)});
  return message.txid;
}

Duration IndexClient::timeout_for(Purpose purpose) const {
  switch (purpose) {
    case Purpose::kUser:
      return rtt_.rto() + config_.overlay_allowance;
    case Purpose::kPublish:
      return rtt_.rto() + config_.publish_allowance;
    case Purpose::kAttach:
      return rtt_.rto();
    case Purpose::kKeepalive:
      break;
  }
  return rtt_.backed_off(missed_keepalives_);
}

void IndexClient::attach(TimePoint now) {
  if (host_cache_.empty()) {
    state_ = State::kIdle;
    return;
  }
  state_ = State::kAttaching;
  cursor_ %= host_cache_.size();
  // After a whole round of kFull answers the next round insists.
  send(now, host_cache_[cursor_], AttachRequest{eligible_, all_full_}, Purpose::kAttach);
}

void IndexClient::leave_supernode(bool moved) {
  events_.push_back(DetachedEvent{supernode_, moved});
  rtt_.reset();  // the next supernode's path is another
  // Requests in flight to the lost supernode wait for the next one.
  std::erase_if(in_flight_, [](const auto& item) { return item.second.purpose != Purpose::kAttach; });
  for (auto& [id, request] : requests_) request.txid = 0;
}

void IndexClient::detach(TimePoint now) {
  leave_supernode(false);
  ++cursor_;
  attach(now);
}

void IndexClient::publish(TimePoint now) {
  if (state_ != State::kAttached) return;
  PresenceRecord record;
  record.id = id_;
  record.public_key = signer_.public_key();
  // Milliseconds of Unix time make the sequence grow across restarts without
  // storing it; +1 keeps two publishes within one millisecond ordered.
  sequence_ = std::max(sequence_ + 1, unix_now(now) * 1000);
  record.sequence = sequence_;
  record.expires_at =
      unix_now(now) + static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(config_.record_lifetime).count());
  record.nat_class = profile_.nat_class;
  record.capabilities = profile_.capabilities;
  record.display_name = profile_.display_name;
  record.endpoints.push_back(RecordEndpoint{EndpointKind::kReflexive, observed_});
  if (profile_.lan_endpoint && *profile_.lan_endpoint != observed_) {
    record.endpoints.push_back(RecordEndpoint{EndpointKind::kLan, *profile_.lan_endpoint});
  }
  record.supernodes.push_back(SupernodeRef{supernode_.id, supernode_.endpoint, supernode_key_});
  next_refresh_ = now + config_.refresh_interval;
  if (auto signed_record = sign_record(record, signer_)) {
    send(now, supernode_.endpoint, PublishRequest{std::move(*signed_record)}, Purpose::kPublish);
  }
}

uint32_t IndexClient::submit(TimePoint now, RequestBody body) {
  const uint32_t id = next_request_++;
  if (next_request_ == 0) next_request_ = 1;
  requests_[id] = UserRequest{std::move(body), 0, now + config_.request_deadline};
  if (requests_.size() > kMaxPendingRequests) {
    fail_user_request(id, RequestStatus::kRejected);
  } else if (state_ == State::kAttached) {
    send_user_request(now, id);
  }
  return id;
}

uint32_t IndexClient::lookup(TimePoint now, const NodeId& target) { return submit(now, LookupRequest{target}); }

uint32_t IndexClient::search_name(TimePoint now, std::string_view query, const SearchCursor& after) {
  return submit(now, SearchRequest{std::string(query), after});
}

void IndexClient::send_user_request(TimePoint now, uint32_t request) {
  auto it = requests_.find(request);
  if (it == requests_.end()) return;
  it->second.txid = send(now, supernode_.endpoint, it->second.body, Purpose::kUser, request);
  if (it->second.txid == 0) fail_user_request(request, RequestStatus::kRejected);  // did not encode
}

void IndexClient::fail_user_request(uint32_t request, RequestStatus status) {
  auto node = requests_.extract(request);
  if (node.empty()) return;
  if (const auto* lookup = std::get_if<LookupRequest>(&node.mapped().body)) {
    events_.push_back(LookupResultEvent{request, lookup->target, status, std::nullopt, 0});
  } else {
    events_.push_back(SearchResultEvent{request, status, {}, std::nullopt, 0});
  }
}

void IndexClient::on_datagram(TimePoint now, const Endpoint& from, ByteView datagram) {
  const auto header = wire::decode_header(datagram);
  if (header && header->type == wire::PacketType::kIndexRequest) return on_request(now, from, datagram);
  const auto response = decode_response(datagram);
  if (!response) return;
  const auto it = in_flight_.find(response->txid);
  if (it == in_flight_.end() || it->second.to != from) return;
  const InFlight inflight = it->second;
  in_flight_.erase(it);
  token_ = response->token;  // every answer renews our proof of address
  if (state_ == State::kAttached && from == supernode_.endpoint) missed_keepalives_ = 0;
  // Attaches and keepalives are answered at once; the others wait for the overlay.
  if (inflight.purpose == Purpose::kAttach || inflight.purpose == Purpose::kKeepalive) rtt_.sample(now - inflight.sent);
  if (const auto* error = std::get_if<ErrorResponse>(&response->body)) return on_error(now, inflight, *error);
  switch (inflight.purpose) {
    case Purpose::kAttach:
      if (const auto* attached = std::get_if<AttachedResponse>(&response->body)) on_attached(now, from, *response, *attached);
      break;
    case Purpose::kKeepalive:
      if (const auto* ack = std::get_if<KeepaliveAckResponse>(&response->body);
          ack != nullptr && state_ == State::kAttached && from == supernode_.endpoint) {
        events_.push_back(LoadReportEvent{supernode_, ack->load});
      }
      break;
    case Purpose::kPublish:
      if (const auto* published = std::get_if<PublishedResponse>(&response->body)) {
        events_.push_back(PublishedEvent{sequence_, published->replicas});
      }
      break;
    case Purpose::kUser:
      on_user_response(now, inflight.request, *response);
      break;
  }
}

void IndexClient::on_request(TimePoint now, const Endpoint& from, ByteView datagram) {
  const auto request = decode_request(datagram);
  const auto* handover = request ? std::get_if<HandoverRequest>(&request->body) : nullptr;
  // Only our own supernode may send us elsewhere.
  if (handover == nullptr || state_ != State::kAttached || from != supernode_.endpoint ||
      request->sender != supernode_.id) {
    ++dropped_requests_;
    return;
  }
  follow_handover(now, *request, *handover);
}

void IndexClient::follow_handover(TimePoint now, const IndexRequest& request, const HandoverRequest& body) {
  if (auto ack = encode_response(IndexResponse{request.txid, id_, 0, HandoverAckResponse{}})) {
    outbox_.push_back(OutDatagram{supernode_.endpoint, std::move(*ack)});
  }
  std::vector<Endpoint> hints;
  for (const Contact& hint : body.supernodes) hints.push_back(hint.endpoint);
  move_to(now, hints);
}

void IndexClient::move_to(TimePoint now, std::span<const Endpoint> first) {
  const std::optional<Endpoint> leaving =
      state_ == State::kAttached ? std::optional<Endpoint>(supernode_.endpoint) : std::nullopt;
  std::vector<Endpoint> order(first.begin(), first.end());
  order.insert(order.end(), host_cache_.begin(), host_cache_.end());
  host_cache_.clear();
  const size_t room = config_.host_cache_size - (leaving && config_.host_cache_size > 0 ? 1 : 0);
  for (const Endpoint& e : order) {
    if (e != leaving && host_cache_.size() < room &&
        std::find(host_cache_.begin(), host_cache_.end(), e) == host_cache_.end()) {
      host_cache_.push_back(e);
    }
  }
  if (leaving) {
    host_cache_.push_back(*leaving);  // last: only if nothing else answers
    leave_supernode(true);
  }
  std::erase_if(in_flight_, [](const auto& item) { return item.second.purpose == Purpose::kAttach; });
  failed_attaches_ = 0;
  retry_attach_at_ = kNever;
  cursor_ = 0;
  attach(now);
}

void IndexClient::on_error(TimePoint now, const InFlight& inflight, const ErrorResponse& error) {
  const ErrorCode code = error.code;
  if (code == ErrorCode::kNotAttached && state_ == State::kAttached) {
    // The supernode forgot us (it restarted, or we were silent too long).
    for (auto& [id, request] : requests_) request.txid = 0;
    in_flight_.clear();
    return attach(now);
  }
  const bool retry = code == ErrorCode::kNeedToken;  // the error carried a fresh token
  switch (inflight.purpose) {
    case Purpose::kAttach:
      if (code == ErrorCode::kFull && state_ == State::kAttaching) {
        // Full or leaving: the ones it suggests next, then the rest, at once; after a
        // whole round without room, again a little later, insisting.
        try_next(error.alternatives);
        saw_full_ = true;
        ++cursor_;
        if (!end_of_round()) return attach(now);
        retry_attach_at_ = now + config_.max_request_timeout;
      }
      break;
    case Purpose::kKeepalive:
      break;
    case Purpose::kPublish:
      if (retry) {
        publish(now);
      } else {
        next_refresh_ = std::min(next_refresh_, now + config_.max_request_timeout);  // busy: try again soon
      }
      break;
    case Purpose::kUser:
      if (retry) {
        send_user_request(now, inflight.request);
      } else {
        fail_user_request(inflight.request, RequestStatus::kRejected);
      }
      break;
  }
}

void IndexClient::on_attached(TimePoint now, const Endpoint& from, const IndexResponse& response,
                              const AttachedResponse& body) {
  if (state_ != State::kAttaching) return;
  state_ = State::kAttached;
  failed_attaches_ = 0;
  saw_full_ = all_full_ = false;
  supernode_ = Contact{response.responder, from};
  observed_ = body.observed;
  missed_keepalives_ = 0;
  for (const Contact& hint : body.supernodes) add_supernodes(std::span<const Endpoint>(&hint.endpoint, 1));
  next_keepalive_ = now + config_.keepalive_interval;
  supernode_key_ = body.key;
  if (supernode_key_ && node_id_from_public_key(*supernode_key_) != supernode_.id) supernode_key_.reset();
  events_.push_back(AttachedEvent{supernode_, supernode_key_});
  events_.push_back(LoadReportEvent{supernode_, body.load});
  publish(now);
  for (auto& [id, request] : requests_) {
    if (request.txid == 0) send_user_request(now, id);
  }
}

void IndexClient::on_user_response(TimePoint now, uint32_t request, const IndexResponse& response) {
  auto node = requests_.extract(request);
  if (node.empty()) return;
  const uint64_t unix = unix_now(now);
  const auto max_lifetime =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(config_.max_record_lifetime).count());
  if (const auto* lookup = std::get_if<LookupRequest>(&node.mapped().body)) {
    LookupResultEvent event{request, lookup->target, RequestStatus::kNotFound, std::nullopt, 0};
    if (const auto* result = std::get_if<LookupResultResponse>(&response.body)) {
      event.hops = result->hops;
      if (result->record) {
        // The supernode checked the record; we check again and trust only our check.
        auto verified = verify_record(*result->record, unix, max_lifetime);
        if (verified && verified->id == lookup->target) {
          event.status = RequestStatus::kFound;
          event.record = std::move(*verified);
        } else {
          event.status = RequestStatus::kInvalidRecord;
        }
      }
    } else {
      event.status = RequestStatus::kRejected;
    }
    events_.push_back(std::move(event));
    return;
  }
  const auto& search = std::get<SearchRequest>(node.mapped().body);
  SearchResultEvent event{request, RequestStatus::kNotFound, {}, std::nullopt, 0};
  const auto* result = std::get_if<SearchResultResponse>(&response.body);
  const auto query = parse_name_query(search.query);
  if (result == nullptr || !query) {
    event.status = RequestStatus::kRejected;
  } else {
    event.next = result->next;
    event.total = result->total;
    for (const Bytes& encoded : result->records) {
      auto verified = verify_record(encoded, unix, max_lifetime);
      if (verified && name_matches(*query, verified->display_name)) event.records.push_back(std::move(*verified));
    }
    if (!event.records.empty()) event.status = RequestStatus::kFound;
  }
  events_.push_back(std::move(event));
}

void IndexClient::on_timeout(TimePoint now, const InFlight& inflight) {
  switch (inflight.purpose) {
    case Purpose::kAttach:
      if (state_ != State::kAttaching) break;
      ++cursor_;
      end_of_round();
      attach(now);
      break;
    case Purpose::kKeepalive:
      suspect_supernode(now);
      break;
    case Purpose::kPublish:
      next_refresh_ = now;  // publish again at once, or as soon as attached elsewhere
      probe_supernode(now);
      break;
    case Purpose::kUser: {
      auto it = requests_.find(inflight.request);
      if (it == requests_.end()) break;
      if (now >= it->second.give_up) {
        fail_user_request(inflight.request, RequestStatus::kTimedOut);
        break;
      }
      it->second.txid = 0;  // resent now if still attached, else once attached again
      const uint32_t request = inflight.request;
      probe_supernode(now);
      if (state_ == State::kAttached) send_user_request(now, request);
      break;
    }
  }
}

void IndexClient::suspect_supernode(TimePoint now) {
  if (state_ != State::kAttached) return;
  if (++missed_keepalives_ >= config_.keepalive_misses) return detach(now);
  next_keepalive_ = now + config_.keepalive_interval;
  send(now, supernode_.endpoint, KeepaliveRequest{eligible_}, Purpose::kKeepalive);
}

void IndexClient::probe_supernode(TimePoint now) {
  if (state_ != State::kAttached) return;
  for (const auto& [txid, inflight] : in_flight_)
    if (inflight.purpose == Purpose::kKeepalive) return;
  send(now, supernode_.endpoint, KeepaliveRequest{eligible_}, Purpose::kKeepalive);
}

void IndexClient::on_timer(TimePoint now) {
  std::vector<InFlight> expired;
  std::erase_if(in_flight_, [&](const auto& item) {
    if (item.second.deadline > now) return false;
    expired.push_back(item.second);
    return true;
  });
  for (const InFlight& inflight : expired) on_timeout(now, inflight);
  std::vector<uint32_t> given_up;
  for (const auto& [id, request] : requests_) {
    if (request.txid == 0 && now >= request.give_up) given_up.push_back(id);
  }
  for (const uint32_t id : given_up) fail_user_request(id, RequestStatus::kTimedOut);
  if (state_ == State::kAttached && now >= next_keepalive_) {
    next_keepalive_ = now + config_.keepalive_interval;
    send(now, supernode_.endpoint, KeepaliveRequest{eligible_}, Purpose::kKeepalive);
  }
  if (state_ == State::kAttached && now >= next_refresh_) publish(now);
  if (now >= retry_attach_at_) {
    retry_attach_at_ = kNever;
    if (state_ == State::kAttaching) attach(now);
  }
}

TimePoint IndexClient::next_timeout() const {
  // Keepalives and refreshes only run while attached (they wait for the next supernode).
  TimePoint next = state_ == State::kAttached ? std::min(next_keepalive_, next_refresh_) : retry_attach_at_;
  for (const auto& [txid, inflight] : in_flight_) next = std::min(next, inflight.deadline);
  for (const auto& [id, request] : requests_) {
    if (request.txid == 0) next = std::min(next, request.give_up);
  }
  return next;
}

}  // namespace koe
