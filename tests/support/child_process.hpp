// ChildProcess: a real process started by a test (posix_spawn), its stdout and
// stderr captured to files, waited on with generous bounds and ended by PID.
// One test thread owns each instance; the destructor kills a still-running child.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace koe::test {

class ChildProcess {
 public:
  // Starts `argv` (argv[0] is the executable path); output goes to files in `log_dir`.
  ChildProcess(std::vector<std::string> argv, const std::filesystem::path& log_dir);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  std::string stdout_text() const;
  std::string stderr_text() const;

  // Polls (every few ms) until `predicate` holds or `limit` passes; returns whether it held.
  static bool wait_for(const std::function<bool()>& predicate, std::chrono::milliseconds limit);
  bool wait_for_output(const std::string& needle, std::chrono::milliseconds limit) const;

  void signal(int signal_number) const;
  // The exit status (or 128 + signal) once the child ends within `limit`; nullopt otherwise.
  std::optional<int> wait_exit(std::chrono::milliseconds limit);

  // Runs to completion (bounded) and returns the exit status; for one-shot commands.
  static int run(std::vector<std::string> argv, const std::filesystem::path& log_dir,
                 std::string* out = nullptr, std::string* err = nullptr,
                 std::chrono::milliseconds limit = std::chrono::seconds(60));

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::filesystem::path out_path_, err_path_;
};

// A UDP port on 127.0.0.1 that was free a moment ago (bound to port 0 and released).
uint16_t free_udp_port();
// A fresh temporary directory under the build tree, removed by the caller.
std::filesystem::path make_temp_dir(const std::string& prefix);

}  // namespace koe::test
