// PeerLinks: reaching a person by NodeId. It remembers peers' identity keys and
// endpoints (from verified presence records and from their own sessions), queues
// control payloads while a peer is looked up in the index and connected, tries the
// record's endpoints in turn, flushes the queue when the link comes up, and gives up
// with "unreachable" or "offline". Sans-IO: the caller runs the lookups, connects and
// sends it asks for. Net thread.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "index/presence_record.hpp"
#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "net/endpoint.hpp"
#include "net/identity.hpp"

namespace koe {

struct PeerLinksConfig {
  // A peer not connected this long after the first payload was queued is given up.
  Duration give_up_after = std::chrono::seconds(15);
  // An endpoint that gave no session within this long: try the record's next one.
  Duration endpoint_timeout = std::chrono::seconds(3);
  size_t max_queued_per_peer = 32;
  size_t max_pending_peers = 256;
};

enum class PeerFailure : uint8_t {
  kOffline,      // the index has no record: the user is not online
  kUnreachable,  // found, but no endpoint gave a session in time
  kQueueFull,    // too many payloads or peers waiting
};
std::string_view to_string(PeerFailure failure);

struct PeerConnect {
  PublicKey key{};
  Endpoint endpoint;
};
struct PeerSend {
  PublicKey key{};
  Bytes payload;
};
struct PeerGiveUp {
  NodeId peer;
  PeerFailure failure;
  size_t dropped = 0;  // queued payloads discarded
};

class PeerLinks {
 public:
  explicit PeerLinks(PeerLinksConfig config = {}) : config_(config) {}

  // Sends now when the link is up, else queues and starts finding the peer.
  void send(TimePoint now, const NodeId& peer, Bytes payload);
  // Connects to the peer without anything to say yet (e.g. to share presence).
  void reach(TimePoint now, const NodeId& peer);

  // A verified record (a lookup's answer, or a search hit worth remembering).
  void on_record(TimePoint now, const PresenceRecord& record);
  // A peer's key (its ID derives from it) and where it answers, learnt without a
  // record (our supernode's, from its attach answer): no lookup is needed to reach it.
  void learn(const PublicKey& key, const Endpoint& endpoint);
  // The index lookup for `peer` found nothing, or timed out.
  void on_lookup_failed(TimePoint now, const NodeId& peer, PeerFailure failure);
  void on_link_up(TimePoint now, const PublicKey& key, std::optional<Endpoint> endpoint);
  void on_link_down(const PublicKey& key);

  void on_timer(TimePoint now);
  TimePoint next_timeout() const;

  bool is_up(const NodeId& peer) const;
  std::optional<PublicKey> key_of(const NodeId& peer) const;

  std::vector<NodeId> take_lookups() { return std::exchange(lookups_, {}); }
  std::vector<PeerConnect> take_connects() { return std::exchange(connects_, {}); }
  std::vector<PeerSend> take_sends() { return std::exchange(sends_, {}); }
  std::vector<PeerGiveUp> take_give_ups() { return std::exchange(give_ups_, {}); }

 private:
  struct Known {
    PublicKey key{};
    std::vector<Endpoint> endpoints;  // to try, in order
    bool up = false;
  };
  struct Pending {
    std::vector<Bytes> queue;
    TimePoint give_up_at = kNever;
    TimePoint next_endpoint_at = kNever;
    size_t endpoint_index = 0;
    bool looking_up = false;
  };

  void start_finding(TimePoint now, const NodeId& peer, Pending& pending);
  void connect_next(TimePoint now, const NodeId& peer, Pending& pending);
  void give_up(const NodeId& peer, PeerFailure failure);

  PeerLinksConfig config_;
  std::map<NodeId, Known> known_;
  std::map<NodeId, Pending> pending_;
  std::vector<NodeId> lookups_;
  std::vector<PeerConnect> connects_;
  std::vector<PeerSend> sends_;
  std::vector<PeerGiveUp> give_ups_;
};

}  // namespace koe
