// Test helper: runs a body in a forked child with extra environment variables
// (set before anything touches PortAudio) and collects what it reports as
// "key=value" lines. One test thread uses it; it kills only its own child.
#pragma once

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <exception>
#include <functional>
#include <map>
#include <string>

#include "net/clock.hpp"

namespace koe::test {

using Vars = std::map<std::string, std::string>;

// What a child tells its parent: "key=value" lines through a pipe.
class Report {
 public:
  explicit Report(int fd) : fd_(fd) {}
  void operator()(const std::string& key, const std::string& value) const {
    const std::string line = key + "=" + value + "\n";
    [[maybe_unused]] ssize_t n = write(fd_, line.data(), line.size());
  }
  void operator()(const std::string& key, int64_t value) const { (*this)(key, std::to_string(value)); }

 private:
  int fd_;
};

struct ChildOutcome {
  bool exited_cleanly = false;
  std::string failure;  // why not
  Vars values;
};

// Forks; the child sets `vars` in its environment (before anything touches
// PortAudio), sends its stderr to a file it reports on, runs `body` and exits.
// The parent collects the report lines, handing each to `on_line` as it
// arrives, and kills the child if it outlives `bound`.
inline ChildOutcome run_child(const Vars& vars, const std::function<void(const Report&)>& body,
                       Duration bound,
                       const std::function<void(const std::string&, const std::string&)>& on_line = {}) {
  int fds[2];
  if (pipe(fds) != 0) return {false, "pipe failed", {}};
  const pid_t pid = fork();
  if (pid < 0) return {false, "fork failed", {}};
  if (pid == 0) {
    close(fds[0]);
    for (const auto& [k, v] : vars) setenv(k.c_str(), v.c_str(), 1);
    char err_path[] = "/tmp/koe_pa_stderr_XXXXXX";
    const int err_fd = mkstemp(err_path);
    if (err_fd >= 0) dup2(err_fd, STDERR_FILENO);
    unlink(err_path);  // still counted through the descriptor
    const Report report(fds[1]);
    try {
      body(report);
    } catch (const std::exception& e) {
      report("exception", e.what());
      _exit(1);
    }
    report("stderr_bytes", static_cast<int64_t>(lseek(STDERR_FILENO, 0, SEEK_END)));
    _exit(0);
  }
  close(fds[1]);
  ChildOutcome outcome;
  std::string pending;
  const TimePoint give_up = SteadyClock().now() + bound;
  bool open = true;
  while (open && SteadyClock().now() < give_up) {
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[512];
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) {
      open = false;
      continue;
    }
    pending.append(buf, static_cast<size_t>(n));
    for (size_t eol; (eol = pending.find('\n')) != std::string::npos; pending.erase(0, eol + 1)) {
      const std::string line = pending.substr(0, eol);
      const size_t eq = line.find('=');
      const std::string key = line.substr(0, eq);
      const std::string value = eq == std::string::npos ? "" : line.substr(eq + 1);
      outcome.values[key] = value;
      if (on_line) on_line(key, value);
    }
  }
  close(fds[0]);
  if (open) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    outcome.failure = "the PortAudio child did not finish within the bound (killed)";
    return outcome;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  outcome.exited_cleanly = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!outcome.exited_cleanly)
    outcome.failure = "the PortAudio child failed (status " + std::to_string(status) + ")";
  return outcome;
}

inline int64_t number(const ChildOutcome& o, const std::string& key) {
  const auto it = o.values.find(key);
  return it == o.values.end() ? -1 : std::stoll(it->second);
}

}  // namespace koe::test
