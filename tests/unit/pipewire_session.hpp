// Test helper: a private PipeWire sound server (dbus-daemon, pipewire,
// wireplumber, pipewire-pulse in a temporary runtime directory) whose null sink
// gives PortAudio real, clocked 48 kHz callbacks on a machine without a sound
// card, plus the process plumbing it needs. Used by one test thread; it kills
// only the processes it started, by pid.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "net/clock.hpp"

extern char** environ;

namespace koe::test {

using Vars = std::map<std::string, std::string>;
using std::chrono::milliseconds;
using std::chrono::seconds;

inline TimePoint now() { return SteadyClock().now(); }

// Starts argv with `vars` added to (and overriding) this process's environment;
// stdout and stderr go to `log`. Through setpriv, the process gets SIGKILL if
// this test dies, so a crashed test leaves no daemon behind. Returns the pid, or -1.
inline pid_t spawn(const std::vector<std::string>& argv, const Vars& vars, const std::string& log) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    const std::string key = entry.substr(0, entry.find('='));
    if (!vars.count(key)) env_strings.push_back(entry);
  }
  for (const auto& [k, v] : vars) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = {"setpriv", "--pdeathsig", "KILL", "--"};
  args.insert(args.end(), argv.begin(), argv.end());
  std::vector<char*> argp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  const int err = posix_spawnp(&pid, argp[0], &actions, nullptr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  return err == 0 ? pid : -1;
}

// SIGTERM, then SIGKILL if it has not exited within 3 s; always reaped.
inline void kill_and_reap(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  const TimePoint give_up = now() + seconds(3);
  while (now() < give_up) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return;
    std::this_thread::sleep_for(milliseconds(10));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

inline bool wait_until(const std::function<bool()>& condition, Duration bound) {
  const TimePoint give_up = now() + bound;
  while (now() < give_up) {
    if (condition()) return true;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return condition();
}

// A private PipeWire session: dbus-daemon, pipewire, wireplumber, pipewire-pulse.
class SoundServer {
 public:
  ~SoundServer() { stop(); }

  // Empty on success, else what went wrong (with the daemons' logs).
  std::string start() {
    char tmpl[] = "/tmp/koe_pipewire_XXXXXX";
    if (!mkdtemp(tmpl)) return "mkdtemp failed";
    root_ = tmpl;
    const auto runtime = root_ / "run";
    std::filesystem::create_directories(runtime);
    std::filesystem::permissions(runtime, std::filesystem::perms::owner_all);
    vars_ = {{"HOME", root_.string()},
             {"XDG_RUNTIME_DIR", runtime.string()},
             {"XDG_CONFIG_HOME", (root_ / "config").string()},
             {"XDG_STATE_HOME", (root_ / "state").string()},
             {"DBUS_SESSION_BUS_ADDRESS", "unix:path=" + (runtime / "bus").string()},
             {"PIPEWIRE_RUNTIME_DIR", runtime.string()},
             {"PULSE_SERVER", ""},
             {"DISPLAY", ""}};
    for (const char* tool : {"setpriv", "dbus-daemon", "pipewire", "wireplumber", "pipewire-pulse", "pw-cli"})
      if (std::system((std::string("command -v ") + tool + " >/dev/null").c_str()) != 0)
        return std::string(tool) + " is not installed (scripts/install-deps.sh installs it)";
    dbus_ = spawn({"dbus-daemon", "--session", "--nofork", "--nopidfile",
                   "--address=" + vars_.at("DBUS_SESSION_BUS_ADDRESS")},
                  vars_, log("dbus"));
    if (dbus_ < 0 || !wait_until([&] { return std::filesystem::exists(runtime / "bus"); }, seconds(10)))
      return "dbus-daemon did not start" + logs();
    return start_pipewire();
  }

  // Kills pipewire and its session manager and pulse server, then starts them again:
  // to every client this looks like the sound device vanishing and coming back.
  std::string restart_pipewire() {
    for (pid_t* pid : {&pulse_, &wireplumber_, &pipewire_}) {
      kill_and_reap(*pid);
      *pid = -1;
    }
    return start_pipewire();
  }

  void stop() {
    for (pid_t* pid : {&pulse_, &wireplumber_, &pipewire_, &dbus_}) {
      kill_and_reap(*pid);
      *pid = -1;
    }
    if (!root_.empty()) std::filesystem::remove_all(root_);
    root_.clear();
  }

  const Vars& vars() const { return vars_; }

  std::string logs() const {
    std::string out;
    for (const char* name : {"dbus", "pipewire", "wireplumber", "pipewire-pulse", "pw-cli"}) {
      std::ifstream in(root_ / (std::string(name) + ".log"));
      std::stringstream text;
      text << in.rdbuf();
      std::string s = text.str();
      if (s.size() > 1500) s = "..." + s.substr(s.size() - 1500);
      out += "\n--- " + std::string(name) + ".log ---\n" + s;
    }
    return out;
  }

 private:
  std::string log(const std::string& name) const { return (root_ / (name + ".log")).string(); }

  std::string start_pipewire() {
    const auto socket = root_ / "run" / "pipewire-0";
    pipewire_ = spawn({"pipewire"}, vars_, log("pipewire"));
    if (pipewire_ < 0 ||
        !wait_until([&] { return std::filesystem::exists(socket) && node_list().find("Dummy-Driver") != std::string::npos; },
                    seconds(15)))
      return "pipewire did not start" + logs();
    wireplumber_ = spawn({"wireplumber"}, vars_, log("wireplumber"));
    pulse_ = spawn({"pipewire-pulse"}, vars_, log("pipewire-pulse"));
    // wireplumber creates the null sink "auto_null" a second after it finds no
    // real sink; playback and capture streams need it to be scheduled.
    if (wireplumber_ < 0 || pulse_ < 0 ||
        !wait_until([&] { return node_list().find("auto_null") != std::string::npos; }, seconds(20)))
      return "wireplumber did not create the auto_null sink" + logs();
    return "";
  }

  std::string node_list() const {
    const std::string out = (root_ / "nodes.txt").string();
    std::filesystem::remove(out);
    const pid_t pid = spawn({"timeout", "5", "pw-cli", "ls", "Node"}, vars_, out);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) return "";
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::filesystem::path root_;
  Vars vars_;
  pid_t dbus_ = -1, pipewire_ = -1, wireplumber_ = -1, pulse_ = -1;
};

}  // namespace koe::test
