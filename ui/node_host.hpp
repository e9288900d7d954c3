// NodeHost: the desktop app's node, built from the profile and the desktop settings and
// started off the UI thread (resolving bootstrap names, opening the audio device and
// binding take a while), restartable after a settings change. When the node founds a
// local network (no bootstrap, empty host cache) it also runs the echo test service
// in-process, so a newcomer can call someone at once. UI thread only.
#pragma once

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "app/node.hpp"
#include "app/profile.hpp"
#include "ui/settings_form.hpp"

namespace koe::ui {

class NodeHost {
 public:
  explicit NodeHost(const Profile& profile) : profile_(profile) {}  // the profile outlives us
  ~NodeHost();  // waits for a start in flight, then stops the nodes
  NodeHost(const NodeHost&) = delete;
  NodeHost& operator=(const NodeHost&) = delete;

  // Starts (or stops and restarts) the node with the profile's current settings; the
  // work runs on a helper thread and its outcome shows in snapshot(). Reads
  // profile.settings(): not while the profile is being saved.
  void start();
  bool starting() const { return pending_.valid(); }

  // The node's latest snapshot; while starting or after a failed start, one saying so.
  AppSnapshot snapshot();
  // Queued to the node; dropped while it starts.
  void command(NodeCommand command);
  // The echo test service's ID when this app runs one, else empty.
  const std::string& echo_service_id() const { return echo_id_; }
  // The settings the running node was started with.
  const Settings& running_settings() const { return running_; }

 private:
  struct Started {
    std::unique_ptr<Profile> echo_profile;  // the echo node's identity lives here
    std::unique_ptr<Node> echo;
    std::unique_ptr<Node> node;
    std::string error;  // why the node could not start (then `node` is null)
    std::vector<std::string> warnings;
  };
  // Helper thread: stops what ran before, then starts anew.
  static Started launch(Started previous, NodeConfig config, const DesktopSettings& desktop);
  static void start_echo_service(Started& out, const std::filesystem::path& profile_dir, uint16_t node_port);
  void collect();  // takes a finished start's result, if any

  const Profile& profile_;
  Settings running_;
  std::future<Started> pending_;
  Started current_;
  std::string echo_id_;
};

}  // namespace koe::ui
