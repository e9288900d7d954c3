// Node: one Koe node. Owns the net thread (EventLoop over the shared UDP socket)
// and the protocol cores on it; publishes AppSnapshots for the UI.
// start()/stop()/snapshot() from the main thread; everything else runs on the net thread.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "app/app_snapshot.hpp"
#include "net/clock.hpp"
#include "net/event_loop.hpp"
#include "net/identity.hpp"

namespace koe {

struct NodeConfig {
  const Identity* identity = nullptr;  // must outlive the Node
  std::string display_name;
  std::string profile_dir;
  Endpoint bind{0, 0};  // ip 0: all interfaces; port 1025-65535
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

 private:
  void publish(const AppSnapshot& snapshot);

  NodeConfig config_;
  SteadyClock clock_;
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<NodeCores> cores_;
  std::thread net_thread_;
  mutable std::mutex snapshot_mutex_;
  AppSnapshot snapshot_;
};

}  // namespace koe
