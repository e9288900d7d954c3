// IndexRole: the node's part in the Global Index. Every node runs an IndexClient (it
// publishes our presence record and asks lookups and searches); a supernode also runs
// an IndexNode, and its own client attaches to it in-process, without datagrams.
// Routes the index packet types between the cores and the socket. Net thread; borrows
// the transport, signer and random source, which must outlive it.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "index/index_client.hpp"
#include "index/index_node.hpp"
#include "index/record_signer.hpp"
#include "net/env.hpp"
#include "net/wire.hpp"

namespace koe {

struct IndexRoleConfig {
  bool supernode = false;
  // Supernodes to attach to (a client) or to join the overlay through (a supernode).
  std::vector<Endpoint> seeds;
  // Our own endpoint as others on the LAN reach it; a supernode's own client is told
  // it sees us there.
  Endpoint self;
  ClientProfile profile;
  Duration wall_clock_offset{0};
};

class IndexRole {
 public:
  IndexRole(const RecordSigner& signer, Random& random, DatagramTransport& transport, IndexRoleConfig config);

  static bool owns(wire::PacketType type) {
    return type == wire::PacketType::kIndexRequest || type == wire::PacketType::kIndexResponse;
  }

  void start(TimePoint now);
  void set_profile(TimePoint now, ClientProfile profile);
  const ClientProfile& profile() const { return client_.profile(); }
  uint32_t lookup(TimePoint now, const NodeId& target);
  uint32_t search(TimePoint now, std::string_view query, const SearchCursor& after = kSearchStart);

  void on_datagram(TimePoint now, const Endpoint& from, ByteView bytes);
  void on_timer(TimePoint now);
  TimePoint next_timeout() const;
  std::vector<IndexClientEvent> take_events() { return client_.take_events(); }

  bool is_supernode() const { return node_ != nullptr; }
  bool attached() const { return client_.attached(); }
  std::optional<Contact> supernode() const { return client_.supernode(); }
  const IndexNode* node() const { return node_.get(); }
  // Index datagrams that no core of ours takes (requests to a client).
  uint64_t dropped() const { return dropped_; }

 private:
  // Moves every core's outbox to the socket, or in-process between our own cores.
  void flush(TimePoint now);

  DatagramTransport& transport_;
  Endpoint self_;
  IndexClient client_;
  std::unique_ptr<IndexNode> node_;
  std::vector<Endpoint> seeds_;
  uint64_t dropped_ = 0;
};

}  // namespace koe
