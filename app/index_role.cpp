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
    : transport_(transport), self_(config.self), client_(signer, random, client_config(config)), seeds_(config.seeds) {
  if (config.supernode) {
    IndexNodeConfig node_config;
    node_config.wall_clock_offset = config.wall_clock_offset;
    node_config.public_key = signer.public_key();
    node_ = std::make_unique<IndexNode>(node_id_from_public_key(signer.public_key()), random, node_config);
    // Our own client attaches to our own index first; the seeds are the overlay's.
    const Endpoint self[] = {self_};
    client_.add_supernodes(self);
  } else {
    client_.add_supernodes(seeds_);
  }
  client_.set_profile(TimePoint{}, std::move(config.profile));
}

void IndexRole::start(TimePoint now) {
  if (node_) node_->bootstrap(now, seeds_);
  client_.start(now);
  flush(now);
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
  if (node_) {
    node_->on_datagram(now, from, bytes);
  } else if (header->type == wire::PacketType::kIndexResponse) {
    client_.on_datagram(now, from, bytes);
  } else {
    ++dropped_;  // a client serves no index requests
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
