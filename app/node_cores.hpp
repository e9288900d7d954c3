// NodeCores: the node's protocol cores behind the EventLoop's handler interface. It
// routes each datagram to the core that owns its packet type, joins the index role,
// peer links, control plane (contacts, presence, calls) and the voice engine, runs the
// commands the UI queues and publishes AppSnapshots. Net thread only (constructed on
// the main thread before the net thread starts); borrows the clock, host and engine.
#pragma once

#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>

#include "app/app_snapshot.hpp"
#include "app/control_plane.hpp"
#include "app/cpu_headroom.hpp"
#include "app/host_cache.hpp"
#include "app/index_role.hpp"
#include "app/node.hpp"
#include "app/node_command.hpp"
#include "app/peer_links.hpp"
#include "app/traversal.hpp"
#include "index/election.hpp"
#include "index/record_signer.hpp"
#include "net/event_loop.hpp"
#include "net/loopback_tunnel.hpp"
#include "net/random.hpp"
#include "net/secure_transport.hpp"
#include "net/spray_sockets.hpp"
#include "net/upstream_meter.hpp"
#include "net/upstream_probe_server.hpp"

namespace koe {

// What the node loads from the profile before it starts.
struct NodeFiles {
  ContactList contacts;
  HostCache host_cache;
};

// The election's consent from the profile's supernode mode.
ElectionConsent election_consent(SupernodeMode mode);

class NodeCores final : public LoopHandler {
 public:
  using Publish = std::function<void(const AppSnapshot&)>;
  NodeCores(const NodeConfig& config, NodeFiles files, const Clock& clock, UdpHost& host, VoiceEngine* voice,
            AppSnapshot initial, Publish publish);
  ~NodeCores() override;

  void on_datagram(TimePoint now, const Endpoint& from, ByteView bytes) override;
  void on_enet_event(TimePoint now, const ENetEvent& event) override;
  void on_timer(TimePoint now) override;
  TimePoint next_timeout() const override;
  std::vector<int> watched_fds() const override;
  void on_readable(TimePoint now, int fd) override;

  // Net thread (posted by Node::command).
  void handle(const NodeCommand& command);
  // Net thread, before stopping: hangs up and tells contacts we went offline (the
  // loop flushes what this queues before it exits).
  void sign_out();
  // Net thread (posted from the voice engine's media thread).
  void send_voice(uint64_t call, const Bytes& payload);

 private:
  // --- node_cores.cpp: datagrams, links, the index, timers.
  void on_link_event(TimePoint now, LinkEvent& event);
  void on_index_event(TimePoint now, IndexClientEvent& event);
  void on_supernode_link(TimePoint now, const PublicKey& key);
  // Moves what the cores want sent to the transport and runs their follow-ups.
  void pump(TimePoint now);
  void note_activity(TimePoint now) {
    if (next_publish_ == kNever) next_publish_ = now + kPublishInterval;
  }
  void log(std::string line);
  void save_contacts_if_changed();
  void save_host_cache();
  // --- node_traversal.cpp: NAT traversal glue (introductions, tunnels, NAT state).
  bool pump_traversal(TimePoint now);  // true when it produced work for the other cores
  void on_introduction_message(TimePoint now, const NodeId& from, const ControlMessage& message);
  void on_nat_event(TimePoint now, const NatDiscoveryEvent& event);
  void apply_spray(TimePoint now, const TraversalSpray& spray);
  void set_traversal_supernodes(TimePoint now);
  // --- node_election.cpp: the supernode election.
  ElectionFacts election_facts() const;
  // Feeds the facts to the election and the capacity they give to our index.
  void update_offer(TimePoint now);
  // Samples CPU headroom, feeds facts and our own load, sets our offer and eligibility.
  void refresh_election(TimePoint now);
  void on_load_report(TimePoint now, const LoadReportEvent& report);
  // Upstream probes: trains we answer, and our own meter aimed at a supernode.
  void on_upstream_probe(TimePoint now, const Endpoint& from, ByteView bytes, wire::PacketType type);
  void aim_upstream_meter(TimePoint now);
  void flush_upstream_probes();
  // Applies what the election decided: promotion, handover, demotion.
  void apply_election(TimePoint now);
  // --- node_calls.cpp: commands, call events, media.
  void start_call(TimePoint now, const std::string& user_id);
  CallView new_call_view(CallId id, const NodeId& peer, CallDirection direction, CallState state, TimePoint now) const;
  void on_call_event(TimePoint now, const CallEvent& event);
  void on_contact_event(TimePoint now, const ContactEvent& event);
  void on_peer_give_up(TimePoint now, const PeerGiveUp& give_up);
  void end_call_view(TimePoint now, std::string reason);
  void check_echo_service(TimePoint now);
  // --- node_snapshot.cpp: the published state.
  void refresh_snapshot(TimePoint now);
  CallStats call_stats(TimePoint now) const;

  static constexpr Duration kPublishInterval = std::chrono::milliseconds(200);

  const NodeConfig& config_;
  const Clock& clock_;
  DatagramTransport& transport_;
  SystemRandom random_;
  IdentitySigner signer_;
  SecureTransport secure_;
  IndexRole index_;
  Traversal traversal_;
  PeerLinks peers_;
  ControlPlane control_;
  HostCache host_cache_;
  VoiceEngine* voice_;  // may be null
  AppSnapshot state_;
  Publish publish_;
  std::map<PublicKey, std::unique_ptr<LoopbackTunnel>> tunnels_;  // relayed peers' stand-ins
  std::map<PublicKey, std::unique_ptr<SpraySockets>> sprays_;     // birthday punching's sockets
  TimePoint next_publish_ = kNever;
  TimePoint next_contact_sweep_ = kNever;
  TimePoint next_supernode_check_ = kNever;
  TimePoint next_election_sample_ = kNever;
  TimePoint started_;
  Election election_;
  UpstreamMeter upstream_meter_;
  UpstreamProbeServer upstream_server_;
  CpuHeadroom cpu_;
  std::optional<double> cpu_headroom_;  // idle cores (at most 1), smoothed; none until measured
  Duration wall_clock_offset_;

  std::map<uint32_t, NodeId> lookups_;  // index request -> the peer being found
  uint32_t search_request_ = 0;  // the latest name search
  uint32_t search_lookup_ = 0;   // the latest search by ID
  std::optional<NodeId> supernode_id_;  // the one we attach to, for the host cache
  std::map<NodeId, std::string> peer_names_;  // display names learned from records
  std::optional<CallView> call_;
  std::optional<std::string> call_failure_;  // why an outgoing call could not be placed
  TimePoint call_connected_at_{};
  std::optional<Endpoint> logged_relay_;  // the call's relay as the log last said it
  std::deque<CallView> history_;
  std::deque<std::string> log_;
  bool muted_ = false;
};

}  // namespace koe
