// IndexClient: an ordinary node's side of the Global Index. It attaches to a
// supernode from its host cache (moving on when keepalives go unanswered),
// publishes and refreshes its own signed presence record through it, and asks it
// for lookups by ID and name searches, verifying every record it is given. It
// reports the supernode's load and follows its handover when it leaves. It never
// routes anyone else's queries. Sans-IO: owned and called by one thread; it
// borrows the signer and the random source, which must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "index/contact.hpp"
#include "index/index_config.hpp"
#include "index/messages.hpp"
#include "index/presence_record.hpp"
#include "index/record_signer.hpp"
#include "index/supernode_load.hpp"
#include "net/env.hpp"
#include "net/rtt_estimator.hpp"

namespace koe {

// What the owner publishes about itself besides what the client learns (its
// reflexive endpoint and its supernode).
struct ClientProfile {
  std::string display_name;
  NatClass nat_class = NatClass::kUnknown;
  uint32_t capabilities = 0;
  std::optional<Endpoint> lan_endpoint;
};

enum class RequestStatus : uint8_t {
  kFound,          // a record (lookup) or a page (search) arrived and verified
  kNotFound,
  kTimedOut,       // no supernode answered within the attempts
  kRejected,       // the supernode refused the request (bad query, busy)
  kInvalidRecord,  // the supernode returned a record that failed verification
};

struct AttachedEvent {
  Contact supernode;
  std::optional<PublicKey> supernode_key;  // when it told us one that its ID derives from
};
struct DetachedEvent {
  Contact supernode;  // the client is attaching elsewhere
  bool moved = false;  // handed over, lost or promoted (move_to); else keepalives went unanswered
};
// The supernode's load, as it said in its latest Attached or KeepaliveAck.
struct LoadReportEvent {
  Contact supernode;
  SupernodeLoad load{};
};
struct PublishedEvent {
  uint64_t sequence = 0;
  uint8_t replicas = 0;
};
struct LookupResultEvent {
  uint32_t request = 0;
  NodeId target;
  RequestStatus status = RequestStatus::kNotFound;
  std::optional<PresenceRecord> record;  // verified, id == target
  uint8_t hops = 0;
};
struct SearchResultEvent {
  uint32_t request = 0;
  RequestStatus status = RequestStatus::kNotFound;
  std::vector<PresenceRecord> records;  // each verified and matching the query
  std::optional<SearchCursor> next;     // pass it back for the next page; absent on the last
  uint16_t total = 0;
};
using IndexClientEvent =
    std::variant<AttachedEvent, DetachedEvent, PublishedEvent, LookupResultEvent, SearchResultEvent, LoadReportEvent>;

class IndexClient {
 public:
  IndexClient(const RecordSigner& signer, Random& random, IndexClientConfig config = {});

  // Supernodes to try, in order (a host cache); more are learned when attaching.
  void add_supernodes(std::span<const Endpoint> endpoints);
  // Sets what the record says; republishes at once when attached.
  void set_profile(TimePoint now, ClientProfile profile);
  const ClientProfile& profile() const { return profile_; }
  // Attaches to the first supernode that answers, then publishes.
  void start(TimePoint now);
  // Leaves the current supernode (DetachedEvent, if attached) and attaches at once,
  // trying `first` before the rest of the host cache; the one left goes last, tried
  // only if nothing else answers. A handover does this with the supernode's hints.
  void move_to(TimePoint now, std::span<const Endpoint> first);
  // Whether we could serve as a supernode; told in the next attach or keepalive.
  void set_eligible(bool eligible) { eligible_ = eligible; }

  // Request IDs are echoed in the result events. Requests made while detached
  // wait for the next supernode.
  uint32_t lookup(TimePoint now, const NodeId& target);
  uint32_t search_name(TimePoint now, std::string_view query, const SearchCursor& after = kSearchStart);

  void on_datagram(TimePoint now, const Endpoint& from, ByteView datagram);
  void on_timer(TimePoint now);
  TimePoint next_timeout() const;
  std::vector<OutDatagram> take_outbox() { return std::exchange(outbox_, {}); }
  std::vector<IndexClientEvent> take_events() { return std::exchange(events_, {}); }

  const NodeId& id() const { return id_; }
  bool attached() const { return state_ == State::kAttached; }
  std::optional<Contact> supernode() const;
  uint64_t sequence() const { return sequence_; }
  // Whether a response with this txid would answer one of our requests (an owner that
  // also runs a supernode core routes responses by it).
  bool awaits(uint32_t txid) const { return in_flight_.count(txid) != 0; }
  // Index requests dropped: a HandoverRequest not from our supernode, or another kind.
  uint64_t dropped_requests() const { return dropped_requests_; }

 private:
  enum class State : uint8_t { kIdle, kAttaching, kAttached };
  enum class Purpose : uint8_t { kAttach, kKeepalive, kPublish, kUser };
  struct InFlight {
    Purpose purpose;
    Endpoint to;
    uint32_t request = 0;  // kUser
    TimePoint sent;
    TimePoint deadline;
  };
  struct UserRequest {
    RequestBody body;   // LookupRequest or SearchRequest
    uint32_t txid = 0;  // 0 while waiting for a supernode
    TimePoint give_up;  // after this the request fails as timed out
  };

  void attach(TimePoint now);
  // Counts a failed attach; true when it completes a round through the host cache.
  bool end_of_round();
  // Puts supernodes we do not know yet right after the one being tried.
  void try_next(std::span<const Contact> supernodes);
  // Leaves the supernode (DetachedEvent); requests in flight to it wait for the next.
  void leave_supernode(bool moved);
  void detach(TimePoint now);
  void on_request(TimePoint now, const Endpoint& from, ByteView datagram);
  // Answers the supernode's handover and moves to its hints.
  void follow_handover(TimePoint now, const IndexRequest& request, const HandoverRequest& body);
  void publish(TimePoint now);
  uint32_t send(TimePoint now, const Endpoint& to, RequestBody body, Purpose purpose, uint32_t request = 0);
  uint32_t submit(TimePoint now, RequestBody body);
  void send_user_request(TimePoint now, uint32_t request);
  void fail_user_request(uint32_t request, RequestStatus status);
  void on_attached(TimePoint now, const Endpoint& from, const IndexResponse& response, const AttachedResponse& body);
  void on_user_response(TimePoint now, uint32_t request, const IndexResponse& response);
  void on_timeout(TimePoint now, const InFlight& inflight);
  // An unanswered keepalive: after keepalive_misses in a row, move to another
  // supernode; before that, check again with a keepalive.
  void suspect_supernode(TimePoint now);
  // An unanswered lookup, search or publish: check the supernode with a keepalive,
  // unless one is on its way (the overlay, not the supernode, may be slow).
  void probe_supernode(TimePoint now);
  Duration timeout_for(Purpose purpose) const;
  void on_error(TimePoint now, const InFlight& inflight, const ErrorResponse& error);
  uint64_t unix_now(TimePoint now) const { return unix_seconds(now, config_.wall_clock_offset); }

  const RecordSigner& signer_;
  NodeId id_;
  Random& random_;
  IndexClientConfig config_;
  ClientProfile profile_;
  std::vector<Endpoint> host_cache_;
  size_t cursor_ = 0;  // the host cache entry in use or being tried
  State state_ = State::kIdle;
  Contact supernode_;
  std::optional<PublicKey> supernode_key_;  // verified: supernode_.id derives from it
  Endpoint observed_;
  uint64_t token_ = 0;
  uint64_t sequence_ = 0;
  TimePoint next_keepalive_ = kNever;
  TimePoint next_refresh_ = kNever;
  uint8_t missed_keepalives_ = 0;
  size_t failed_attaches_ = 0;         // in this round through the host cache
  bool saw_full_ = false;              // a kFull answer in this round
  bool all_full_ = false;              // the last round found no room: attach as a last resort
  TimePoint retry_attach_at_ = kNever;  // every supernode was full: try again then
  RttEstimator rtt_;  // to the supernode we attach to or are attached to
  std::unordered_map<uint32_t, InFlight> in_flight_;  // by txid
  std::unordered_map<uint32_t, UserRequest> requests_;
  uint32_t next_request_ = 1;
  bool eligible_ = false;
  uint64_t dropped_requests_ = 0;
  std::vector<OutDatagram> outbox_;
  std::vector<IndexClientEvent> events_;
};

}  // namespace koe
