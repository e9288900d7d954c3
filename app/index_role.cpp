#include "app/index_role.hpp"

#include <algorithm>

namespace koe {

namespace {

IndexClientConfig client_config(const IndexRoleConfig& config) {
  IndexClientConfig client;
  client.wall_clock_offset = config.wall_clock_offset;
  return client;
}

}  // namespace

IndexRole::IndexRole(const RecordSigner& signer, Random& random, DatagramTransport& transport,
                     IndexRoleConfig config)
    : signer_(signer),
      random_(random),
      transport_(transport),
      wall_clock_offset_(config.wall_clock_offset),
      self_(config.self),
      client_(signer, random, client_config(config)),
      seeds_(config.seeds) {
  if (config.supernode) {
    node_ = std::make_unique<IndexNode>(node_id_from_public_key(signer_.public_key()), random_, node_config());
    // Our own client attaches to our own index first; the seeds are the overlay's.
    const Endpoint self[] = {self_};
    client_.add_supernodes(self);
  } else {
    client_.add_supernodes(seeds_);
  }
  client_.set_profile(TimePoint{}, std::move(config.profile));
}

IndexNodeConfig IndexRole::node_config() const {
  IndexNodeConfig config;
  config.wall_clock_offset = wall_clock_offset_;
  config.public_key = signer_.public_key();
  return config;
}

void IndexRole::start(TimePoint now) {
  if (node_) node_->bootstrap(now, seeds_);
  client_.start(now);
  flush(now);
}

void IndexRole::promote(TimePoint now) {
  if (node_) return;
  std::vector<Endpoint> seeds;
  if (const auto current = client_.supernode()) seeds.push_back(current->endpoint);
  for (const Endpoint& seed : seeds_)
    if (std::find(seeds.begin(), seeds.end(), seed) == seeds.end()) seeds.push_back(seed);
  node_ = std::make_unique<IndexNode>(node_id_from_public_key(signer_.public_key()), random_, node_config());
  node_->set_offer(offer_);
  node_->bootstrap(now, seeds);
  const Endpoint self[] = {self_};
  client_.move_to(now, self);
  flush(now);
}

void IndexRole::begin_handover(TimePoint now) {
  if (!node_) return;
  node_->begin_handover(now);
  flush(now);
}

void IndexRole::demote(TimePoint now) {
  if (!node_) return;
  node_.reset();
  // The handover moved our client already, unless it timed out: then it moves now.
  if (const auto current = client_.supernode(); !current || current->endpoint == self_) client_.move_to(now, {});
  flush(now);
}

void IndexRole::supernode_lost(TimePoint now) {
  client_.move_to(now, {});
  flush(now);
}

std::vector<Endpoint> IndexRole::known_supernodes(size_t at_most) const {
  std::vector<Endpoint> known;
  if (!node_) return known;
  for (const Contact& contact : node_->routing().closest(node_->id(), at_most)) known.push_back(contact.endpoint);
  return known;
}

void IndexRole::set_offer(const SupernodeLoad& offer) {
  offer_ = offer;
  if (node_) node_->set_offer(offer_);
}

void IndexRole::set_profile(TimePoint now, ClientProfile profile) {
  client_.set_profile(now, std::move(profile));
  flush(now);
}

uint32_t IndexRole::lookup(TimePoint now, const NodeId& target) {
  const uint32_t request = client_.lookup(now, target);
  flush(now);
  return request;
}

uint32_t IndexRole::search(TimePoint now, std::string_view query, const SearchCursor& after) {
  const uint32_t request = client_.search_name(now, query, after);
  flush(now);
  return request;
}

void IndexRole::on_datagram(TimePoint now, const Endpoint& from, ByteView bytes) {
  const auto header = wire::decode_header(bytes);
  if (!header) return;
  if (header->type == wire::PacketType::kIndexResponse) {
    // While a role changes our client may talk to another supernode than our own
    // index does: answers go to whichever core asked.
    const auto response = decode_response(bytes);
    if (node_ && !(response && client_.awaits(response->txid))) {
      node_->on_datagram(now, from, bytes);
    } else {
      client_.on_datagram(now, from, bytes);
    }
  } else if (node_) {
    node_->on_datagram(now, from, bytes);
  } else {
    client_.on_datagram(now, from, bytes);  // a supernode handing us over; anything else is dropped
  }
  flush(now);
}

void IndexRole::on_timer(TimePoint now) {
  if (client_.next_timeout() <= now) client_.on_timer(now);
  if (node_ && node_->next_timeout() <= now) node_->on_timer(now);
  flush(now);
}

TimePoint IndexRole::next_timeout() const {
  const TimePoint client = client_.next_timeout();
  return node_ ? std::min(client, node_->next_timeout()) : client;
}

void IndexRole::flush(TimePoint now) {
  // In-process exchanges answer at once, so a few rounds empty both outboxes.
  for (int round = 0; round < 8; ++round) {
    bool moved = false;
    for (auto& datagram : client_.take_outbox()) {
      moved = true;
      if (node_ && datagram.to == self_) {
        node_->on_datagram(now, self_, datagram.bytes);
      } else {
        transport_.send(datagram.to, datagram.bytes);
      }
    }
    if (!node_) return;
    for (auto& datagram : node_->take_outbox()) {
      moved = true;
      if (datagram.to == self_) {
        client_.on_datagram(now, self_, datagram.bytes);
      } else {
        transport_.send(datagram.to, datagram.bytes);
      }
    }
    if (!moved) return;
  }
}

}  // namespace koe
