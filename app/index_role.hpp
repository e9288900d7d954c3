// IndexRole: the node's part in the Global Index. Every node runs an IndexClient (it
// publishes our presence record and asks lookups and searches); a supernode also runs
// an IndexNode, and its own client attaches to it in-process, without datagrams. The
// election promotes and demotes it while running. Routes the index packet types between
// the cores and the socket. Net thread; borrows the transport, signer and random source,
// which must outlive it.
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

  // Becomes a supernode: joins the overlay through the supernodes we know, and our
  // own client moves onto our own index.
  void promote(TimePoint now);
  // Graceful leave: hands the attached clients (ours too) to other supernodes and
  // re-replicates the records we hold; demote() once handover_done() or on timeout.
  void begin_handover(TimePoint now);
  bool handover_done() const { return !node_ || node_->handover_done(); }
  size_t handover_clients_left() const { return node_ ? node_->handover_clients_left() : 0; }
  void demote(TimePoint now);
  // Our supernode is gone (its secure link timed out): attach to another one now.
  void supernode_lost(TimePoint now);
  // Capacities and relay figures our load reports carry while we serve.
  void set_offer(const SupernodeLoad& offer);
  // Our load as a supernode reports it (zero while we do not serve).
  SupernodeLoad load() const { return node_ ? node_->load() : SupernodeLoad{}; }
  // Other supernodes' recent loads, from their answers to our pings (empty unless we serve).
  std::vector<SupernodeLoad> peer_loads(TimePoint now) const {
    return node_ ? node_->peer_loads(now) : std::vector<SupernodeLoad>{};
  }
  // Tells our supernode whether we could serve (it counts eligible clients).
  void set_eligible(bool eligible) { client_.set_eligible(eligible); }

  bool is_supernode() const { return node_ != nullptr; }
  bool attached() const { return client_.attached(); }
  std::optional<Contact> supernode() const { return client_.supernode(); }
  const IndexNode* node() const { return node_.get(); }
  // The supernodes our overlay knows besides us (empty unless we serve).
  std::vector<Endpoint> known_supernodes(size_t at_most) const;

 private:
  // Moves every core's outbox to the socket, or in-process between our own cores.
  void flush(TimePoint now);
  IndexNodeConfig node_config() const;

  const RecordSigner& signer_;
  Random& random_;
  DatagramTransport& transport_;
  Duration wall_clock_offset_;
  Endpoint self_;
  IndexClient client_;
  std::unique_ptr<IndexNode> node_;
  SupernodeLoad offer_;
  std::vector<Endpoint> seeds_;
};

}  // namespace koe
