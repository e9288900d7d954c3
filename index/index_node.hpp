// IndexNode: the supernode core of the Global Index. It keeps a Kademlia routing
// table of other supernodes (8-bit symbols), answers their RPCs, holds replicas of
// presence records and keyword entries for the keys it is among the k closest to,
// repairs replicas when neighbours join or leave, and serves its attached ordinary
// nodes: attach, keepalive, publish, lookup and name search, each resolved with
// alpha-parallel lookups. It reports its load to its clients and, when leaving
// gracefully, hands them to other supernodes and re-replicates what it holds.
// Sans-IO: datagrams in through on_datagram, out through take_outbox; owned and
// called by one thread (the net thread, or the simulator).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <span>
#include <unordered_map>
#include <vector>

#include "index/address_token.hpp"
#include "index/index_config.hpp"
#include "index/keyword_store.hpp"
#include "index/lookup.hpp"
#include "index/messages.hpp"
#include "index/name_search.hpp"
#include "index/record_store.hpp"
#include "index/routing_table.hpp"
#include "index/rpc_table.hpp"
#include "index/supernode_load.hpp"
#include "net/env.hpp"
#include "net/rate_limiter.hpp"

namespace koe {

// Why a supernode ran a lookup.
enum class OperationPurpose : uint8_t {
  kClientLookup,    // a client's Lookup
  kSearchKeyword,   // the keyword step of a client's Search
  kSearchRecord,    // fetching one search hit's record
  kPublishRecord,   // finding where a client's record goes
  kPublishKeyword,  // finding where one of its keywords goes
  kJoin,            // our own ID, when joining the overlay
};

// Emitted when a lookup ends, for statistics (the simulator's report).
struct LookupCompleted {
  OperationPurpose purpose;
  bool found = false;     // a record or keyword entries (record and keyword lookups)
  uint8_t hops = 0;       // overlay hops to the answer
  uint32_t messages = 0;  // requests sent and answers received
  uint64_t bytes = 0;
  Duration elapsed{0};
};

struct IndexNodeCounters {
  uint64_t datagrams_in = 0;
  uint64_t bytes_in = 0;
  uint64_t datagrams_out = 0;
  uint64_t bytes_out = 0;
  uint64_t rate_limited = 0;        // requests dropped by the per-source limit
  uint64_t malformed = 0;           // datagrams that did not decode
  uint64_t unexpected = 0;          // responses matching no pending request
  uint64_t need_token = 0;          // answers withheld from unproven sources
  uint64_t invalid_records = 0;     // records that failed verification
  uint64_t replica_stores = 0;      // stores we accepted
  uint64_t repairs_sent = 0;        // replicas pushed to new holders
  uint64_t refused_full = 0;        // Attach refused with kFull (at capacity or leaving)
  uint64_t handovers_sent = 0;      // HandoverRequests sent to clients (resends included)
};

class IndexNode {
 public:
  // `self` is the supernode's NodeId (derived from its identity key).
  IndexNode(const NodeId& self, Random& random, IndexNodeConfig config = {});

  // Joins the overlay through supernodes at `seeds` (IDs not needed); retried
  // while the routing table stays empty. The first supernode calls it with none.
  void bootstrap(TimePoint now, std::span<const Endpoint> seeds);

  void on_datagram(TimePoint now, const Endpoint& from, ByteView datagram);
  void on_timer(TimePoint now);
  TimePoint next_timeout() const;
  std::vector<OutDatagram> take_outbox() { return std::exchange(outbox_, {}); }
  std::vector<LookupCompleted> take_events() { return std::exchange(events_, {}); }

  const NodeId& id() const { return self_; }
  const RoutingTable& routing() const { return routing_; }
  const RecordStore& records() const { return records_; }
  const KeywordStore& keywords() const { return keywords_; }
  const IndexNodeCounters& counters() const { return counters_; }
  size_t attached_clients() const { return clients_.size(); }
  size_t operations_in_progress() const { return operations_.size(); }

  // What we offer: capacities, relay sessions and upstream figures (its clients and
  // eligible_clients are ignored). At client_capacity (when not 0) new clients are
  // refused with kFull; the attached ones stay.
  void set_offer(const SupernodeLoad& offer);
  // The offer with the attached clients and those of them that said they are eligible
  // (at their last attach or keepalive); every Attached and KeepaliveAck carries it.
  SupernodeLoad load() const;
  // The loads other supernodes reported in answers to our pings within load_max_age,
  // at most one per supernode: a supernode's view of the network's load.
  std::vector<SupernodeLoad> peer_loads(TimePoint now) const;

  // Graceful leave: new clients are refused (kFull); every attached one is told to
  // attach to other supernodes (HandoverRequest every kHandoverResend until it answers,
  // at most kHandoverSends times) and then forgotten; every record and keyword entry
  // held is pushed to the k closest other supernodes we know for its key.
  void begin_handover(TimePoint now);
  bool handing_over() const { return handing_over_; }
  size_t handover_clients_left() const { return clients_.size(); }
  // No client left and every store sent has been answered or has timed out.
  bool handover_done() const;

 private:
  enum class QueryKind : uint8_t { kFindNode, kFindRecord, kFindKeyword };
  struct Operation {
    Operation(OperationPurpose p, QueryKind q, Lookup l, TimePoint t)
        : purpose(p), query(q), lookup(std::move(l)), started(t) {}
    OperationPurpose purpose;
    QueryKind query;
    Lookup lookup;
    TimePoint started;
    uint8_t token_retries = 0;  // kNeedToken answers re-asked (bounded)
    uint32_t messages = 0;
    uint64_t bytes = 0;
    // Who asked (client operations) and for what.
    Endpoint client;
    uint32_t client_txid = 0;
    uint32_t search = 0;
    size_t search_slot = 0;  // kSearchRecord: which hit of the page
    Bytes record;          // kPublishRecord: what to store
    KeywordEntry entry;    // kPublishKeyword: what to store
    SearchCursor keyword_after = kSearchStart;  // kSearchKeyword
    // Results.
    std::optional<Bytes> found;
    uint8_t found_hops = 0;
    std::vector<KeywordEntry> hits;  // merged from the holders that answered, in keyword_order
    uint16_t hits_total = 0;
    uint8_t hit_answers = 0;
  };
  struct Search {
    Endpoint client;
    uint32_t client_txid = 0;
    NameQuery query;
    SearchCursor after = kSearchStart;
    bool on_fallback = false;
    uint16_t total = 0;
    bool more = false;                        // entries beyond this page exist
    std::vector<KeywordEntry> page;           // the hits of this page, in keyword_order
    std::vector<std::optional<Bytes>> found;  // their records, slot for slot
    size_t pending = 0;
  };
  struct Client {
    NodeId id;
    TimePoint last_seen;
    bool eligible = false;  // as it said in its last attach or keepalive
  };
  struct AwaitingStore {
    Contact to;
    RequestBody body;
  };

  // --- index_node.cpp: datagrams in and out, supernode RPCs.
  void on_request(TimePoint now, const Endpoint& from, const IndexRequest& request, size_t size);
  void on_response(TimePoint now, const Endpoint& from, const IndexResponse& response, size_t size);
  // Uses `token`, else one the contact gave us before, else pads the request
  // (kUnprovenRequestSize).
  uint32_t send_request(TimePoint now, const Contact& to, RequestBody body, RpcPurpose purpose,
                        uint32_t operation = 0, uint64_t token = 0);
  // Answers a request now, withholding answers that would amplify an unproven source.
  void respond(const Endpoint& to, const IndexRequest& request, size_t request_size, bool proven,
               ResponseBody body);
  // Answers a proven client request later (after its lookup).
  void send_response(const Endpoint& to, uint32_t txid, ResponseBody body);
  void send(const Endpoint& to, Bytes bytes);
  struct RequestContext {
    TimePoint now;
    Endpoint from;
    const IndexRequest& request;
    size_t size;  // of the datagram
    bool proven;  // it carried a valid address token
  };
  void handle(const RequestContext& ctx, const PingRequest& body);
  void handle(const RequestContext& ctx, const FindNodeRequest& body);
  void handle(const RequestContext& ctx, const FindRecordRequest& body);
  void handle(const RequestContext& ctx, const FindKeywordRequest& body);
  void handle(const RequestContext& ctx, const StoreRecordRequest& body);
  void handle(const RequestContext& ctx, const StoreKeywordRequest& body);
  // --- index_node_clients.cpp: requests from attached ordinary nodes.
  void handle(const RequestContext& ctx, const AttachRequest& body);
  void handle(const RequestContext& ctx, const KeepaliveRequest& body);
  void handle(const RequestContext& ctx, const PublishRequest& body);
  void handle(const RequestContext& ctx, const LookupRequest& body);
  void handle(const RequestContext& ctx, const SearchRequest& body);
  void handle(const RequestContext& ctx, const HandoverRequest& body);  // not ours to get: dropped
  // Keeps eligible_clients_ in step with the clients' flags.
  void set_eligible(Client& client, bool eligible);
  void forget_client(const Endpoint& endpoint);
  // True if the request may start work; otherwise answers why not.
  bool admit_client_request(const RequestContext& ctx);
  void start_keyword_stage(TimePoint now, uint32_t search_id, const std::string& keyword);
  void on_search_keyword_done(TimePoint now, Operation& op);
  void on_search_record_done(TimePoint now, const Operation& op);
  void finish_search(uint32_t search_id);
  // --- index_node_handover.cpp: the graceful leave.
  void send_handover_round(TimePoint now);
  // True if `response` answers one of our HandoverRequests (the client is then forgotten).
  bool on_handover_ack(const Endpoint& from, const IndexResponse& response);
  void push_everything_held(TimePoint now);
  // --- index_node_operations.cpp: lookups on behalf of operations.
  // A new operation whose lookup starts from our closest contacts; 0 when too many
  // run already. The caller fills in who asked, then calls pump().
  uint32_t create_operation(TimePoint now, OperationPurpose purpose, QueryKind query, const NodeId& target);
  void pump(TimePoint now, uint32_t op_id);
  void send_query(TimePoint now, uint32_t op_id, Operation& op, const Contact& to);
  void on_operation_answer(TimePoint now, uint32_t op_id, const Contact& from, const IndexResponse& response,
                           size_t size);
  void on_operation_slow(TimePoint now, uint32_t op_id, const Contact& to);
  void on_operation_failure(TimePoint now, uint32_t op_id, const Contact& to);
  void finish_operation(TimePoint now, uint32_t op_id);
  // The k closest of the lookup's answering contacts and ourselves.
  std::vector<Contact> replica_targets(const NodeId& key, std::vector<Contact> answered) const;
  // --- index_node_replication.cpp: stores, repair and upkeep.
  // Keeps a record whose signature was checked (decodes it again for its fields).
  StoreStatus store_verified(TimePoint now, ByteView encoded);
  // A store needs the holder's token: `token` (from a lookup answer), a known
  // one, or one fetched with a ping first (the store waits for it).
  void send_store(TimePoint now, const Contact& to, RequestBody body, uint64_t token = 0);
  void flush_awaiting(TimePoint now, const Endpoint& issuer, uint64_t token);
  // The token a routing-table contact gave us, while its issuer surely still accepts it.
  uint64_t known_token(TimePoint now, const NodeId& id) const { return routing_.token(id, now, config_.token_rotation); }
  void observe(TimePoint now, const Contact& contact);
  void learn(TimePoint now, std::span<const Contact> contacts);
  void on_contact_failed(TimePoint now, const NodeId& id);
  void note_membership_change(TimePoint now, const NodeId& id, bool added);
  void repair(TimePoint now);
  // Recomputes how far (in XOR bits) the replica sets of the keys we hold reach.
  void update_neighbourhood();
  bool in_neighbourhood(const NodeId& id) const;
  void ping_neighbours(TimePoint now);
  // index_node_loads.cpp
  void ping_for_loads(TimePoint now);
  void note_peer_load(TimePoint now, const NodeId& id, const SupernodeLoad& load);
  // Single FindNode RPCs toward random IDs whose first byte is `first_byte` (any
  // when absent), each to the closest contact we know, to fill buckets.
  void refresh_buckets(TimePoint now, size_t count, std::optional<uint8_t> first_byte);
  void sweep_expired(TimePoint now);
  void send_bootstrap(TimePoint now);
  void start_join(TimePoint now);
  // Queues a key's entries for `to`, in batches of kMaxKeywordStoreEntries.
  void queue_keyword_batches(TimePoint now, const NodeId& key, const std::vector<KeywordEntry>& entries,
                             const Contact& to);
  void queue_repair(TimePoint now, const Contact& to, RequestBody body);
  void send_repairs(TimePoint now);
  uint64_t unix_now(TimePoint now) const { return unix_seconds(now, config_.wall_clock_offset); }
  uint64_t max_lifetime_seconds() const {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(config_.max_record_lifetime).count());
  }

  NodeId self_;
  Random& random_;
  IndexNodeConfig config_;
  RoutingTable routing_;
  RecordStore records_;
  KeywordStore keywords_;
  AddressTokens tokens_;
  RateLimiter rate_;
  RpcTable rpcs_;
  std::unordered_map<Endpoint, Client> clients_;
  uint32_t eligible_clients_ = 0;  // clients_ entries with eligible set
  SupernodeLoad offer_;
  bool handing_over_ = false;
  uint8_t handover_rounds_ = 0;  // HandoverRequests sent to each remaining client
  TimePoint next_handover_round_ = kNever;
  std::unordered_map<uint32_t, Endpoint> handover_txids_;  // every HandoverRequest sent, by txid
  std::unordered_map<uint32_t, Operation> operations_;
  uint32_t next_operation_ = 1;
  std::unordered_map<uint32_t, Search> searches_;
  uint32_t next_search_ = 1;
  std::unordered_map<Endpoint, std::vector<AwaitingStore>> awaiting_token_;
  // Replica sets of the keys we hold lie within this many low bits of XOR distance
  // from us: changes there can move a replica, and its members are pinged.
  size_t neighbourhood_bits_ = kNodeIdSize * 8;
  // Membership changes near us since the last repair.
  std::vector<NodeId> added_;
  std::vector<NodeId> removed_;
  TimePoint repair_due_ = kNever;
  std::deque<AwaitingStore> repair_queue_;  // pushes paced at repair_per_second
  TimePoint next_repair_send_ = kNever;
  std::vector<Endpoint> seeds_;
  TimePoint bootstrap_due_ = kNever;
  bool joined_ = false;
  TimePoint next_neighbour_ping_ = kNever;
  TimePoint next_load_ping_ = kNever;
  struct PeerLoad {
    SupernodeLoad load;
    TimePoint heard;
  };
  std::map<NodeId, PeerLoad> peer_loads_;  // bounded: entries older than load_max_age are dropped
  TimePoint next_refresh_ = kNever;
  TimePoint next_sweep_ = kNever;
  std::vector<OutDatagram> outbox_;
  std::vector<LookupCompleted> events_;
  IndexNodeCounters counters_;
};

}  // namespace koe
