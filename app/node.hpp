// Node: one Koe node. Owns the net thread (EventLoop over the shared UDP socket)
// and the protocol cores on it; publishes AppSnapshots for the UI.
// start()/stop()/snapshot() from the main thread; everything else runs on the net thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/app_snapshot.hpp"
#include "app/node_command.hpp"
#include "app/settings.hpp"
#include "index/election.hpp"
#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "net/event_loop.hpp"
#include "net/identity.hpp"

namespace koe {

class VoiceEngine;  // audio/voice_engine.hpp
// What a VoiceEngine calls with each outgoing voice payload of a call (media thread).
using VoiceSendFunction = std::function<void(uint64_t call, Bytes payload)>;

// Who may call, and whether calls are answered without a person (headless nodes).
enum class AutoAnswer : uint8_t { kOff, kContacts, kAnyone };

struct NodeConfig {
  const Identity* identity = nullptr;  // must outlive the Node
  std::string display_name;
  std::string profile_dir;  // contacts.json and host_cache.json live here; empty: none kept
  Endpoint bind{0, 0};      // ip 0: all interfaces; port 1025-65535
  // Supernodes to join (--bootstrap); the profile's host cache adds more.
  std::vector<Endpoint> bootstrap;
  SupernodeMode supernode_mode = SupernodeMode::kAuto;
  // The supernode election's thresholds and timing (docs/election.md).
  ElectionConfig election;
  // The most a volunteer gives as a supernode (--supernode-upstream-kbps, --supernode-max-cpu):
  // the measured upstream and CPU headroom are lowered to these; 0: no cap.
  VolunteerCaps volunteer_caps;
  // The address advertised as our LAN endpoint; unset: the first non-loopback IPv4
  // interface (127.0.0.1 when there is none).
  std::optional<uint32_t> lan_ip;
  AutoAnswer auto_answer = AutoAnswer::kOff;
  // Calls from people not in the contact list ring too (kAnyone and the echo service
  // imply it); blocked IDs never do.
  bool accept_from_anyone = false;
  // Answers every call, records what it hears for echo_record, plays it back, hangs up.
  bool echo_service = false;
  Duration echo_record = std::chrono::seconds(10);
  // The microphone and speaker; nullptr: calls carry no audio (signalling only).
  std::function<std::unique_ptr<VoiceEngine>(VoiceSendFunction)> make_voice_engine;
};

class NodeCores;  // the net-thread half (app/node_cores.hpp)
class Profile;

// The node configuration a profile describes (all interfaces, its listen port).
NodeConfig node_config_from(const Profile& profile);

class Node {
 public:
  explicit Node(NodeConfig config);
  ~Node();  // stops the net thread if running
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Binds the socket and starts the net thread; returns an empty string on
  // success, else one line saying why (for example the port is in use).
  std::string start();
  // Stops and joins the net thread; safe to call twice.
  void stop();

  // The latest published state (thread-safe copy).
  AppSnapshot snapshot() const;
  // Queues a command for the net thread (thread-safe); ignored when not running.
  void command(NodeCommand command);
  // Waits until `done` holds for a published snapshot, or `timeout` passes; returns
  // the last snapshot seen. Thread-safe (not the net thread).
  AppSnapshot wait_until(const std::function<bool(const AppSnapshot&)>& done, Duration timeout) const;
  // Problems met while starting that did not stop the node (e.g. a corrupt contacts
  // file set aside), one line each.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  void publish(const AppSnapshot& snapshot);

  NodeConfig config_;
  SteadyClock clock_;
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<NodeCores> cores_;
  std::thread net_thread_;
  std::unique_ptr<VoiceEngine> voice_;
  std::vector<std::string> warnings_;
  mutable std::mutex snapshot_mutex_;
  mutable std::condition_variable snapshot_changed_;
  AppSnapshot snapshot_;
};

}  // namespace koe
