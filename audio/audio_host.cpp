#include "audio/audio_host.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "audio/portaudio_library.hpp"
#include "audio/portaudio_streams.hpp"

extern char** environ;

namespace koe {

namespace {

// The host finds its rings and its report pipe at these descriptors.
constexpr int kRingsFd = 3;
constexpr int kReportFd = 4;
// Set only in a host's environment: the parent's pid, and the device selectors.
constexpr const char* kParentVar = "KOE_AUDIO_HOST_PARENT";
constexpr const char* kInputVar = "KOE_AUDIO_HOST_INPUT";
constexpr const char* kOutputVar = "KOE_AUDIO_HOST_OUTPUT";
constexpr auto kHostPollPeriod = std::chrono::milliseconds(50);
constexpr size_t kMaxReportLine = 4096;

// Report lines are tab-separated; keep names and errors on one field.
std::string field(std::string s) {
  for (char& c : s)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return s;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1)
    parts.push_back(line.substr(start, tab - start));
  parts.push_back(line.substr(start));
  return parts;
}

void report(const std::string& line) {
  const std::string text = line + "\n";
  if (::write(kReportFd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) _exit(1);
}

// ---- The host side: runs before main() in the child, never returns. ----

[[noreturn]] void run_host(const char* parent) {
  // Die with the parent; if it is already gone, there is nobody to serve. (The
  // signal comes when the spawning *thread* ends; the supervisor replaces a host
  // lost that way like any other.)
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (std::to_string(::getppid()) != parent) _exit(0);
  try {
    const RingsMemory memory = RingsMemory::map_inherited(kRingsFd);
    std::lock_guard lock(portaudio_mutex());
    const PortAudioLibrary library;
    const char* input = std::getenv(kInputVar);
    const char* output = std::getenv(kOutputVar);
    auto streams = PortAudioStreams::open(library, memory.rings(), input ? input : "",
                                          output ? output : "");
    if (!streams) {
      report("failed\t" + field(streams.error()));
      _exit(1);
    }
    report("ready\t" + field((*streams)->input_name()) + "\t" + field((*streams)->output_name()) +
           "\t" + field((*streams)->note()));
    for (;;) {
      std::this_thread::sleep_for(kHostPollPeriod);
      const std::string fault = (*streams)->fault();
      if (!fault.empty()) {
        report("failed\t" + field(fault));
        _exit(1);  // without closing: closing may hang in PortAudio; the kernel cleans up
      }
    }
  } catch (const std::exception& e) {
    report("failed\t" + field(e.what()));
    _exit(1);
  }
}

// Any executable that can spawn a host is a host when started as one.
[[maybe_unused]] const bool kStartedAsHost = [] {
  if (const char* parent = std::getenv(kParentVar)) run_host(parent);
  return false;
}();

}  // namespace

// ---- The parent side ----

Expected<AudioHostProcess, std::string> AudioHostProcess::spawn(const RingsMemory& rings,
                                                                const std::string& input_selector,
                                                                const std::string& output_selector) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
    return Failure{std::string("audio host: pipe: ") + std::strerror(errno)};
  // Copies above the target numbers, so the dup2s below cannot clobber each other.
  const int rings_copy = ::fcntl(rings.fd(), F_DUPFD_CLOEXEC, 10);
  const int report_copy = ::fcntl(pipe_fds[1], F_DUPFD_CLOEXEC, 10);
  ::close(pipe_fds[1]);

  std::vector<std::string> env;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "KOE_AUDIO_HOST_", 15) != 0) env.emplace_back(*e);
  env.push_back(std::string(kParentVar) + "=" + std::to_string(::getpid()));
  env.push_back(std::string(kInputVar) + "=" + input_selector);
  env.push_back(std::string(kOutputVar) + "=" + output_selector);
  std::vector<char*> envp;
  for (auto& s : env) envp.push_back(s.data());
  envp.push_back(nullptr);
  char name[] = "koe-audio-host";
  char* argv[] = {name, nullptr};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, rings_copy, kRingsFd);
  posix_spawn_file_actions_adddup2(&actions, report_copy, kReportFd);
  // ALSA and JACK print probing noise; the host reports through its pipe instead.
  for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO})
    posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  pid_t pid = -1;
  const int err = rings_copy < 0 || report_copy < 0
                      ? EBADF
                      : ::posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  for (int fd : {rings_copy, report_copy})
    if (fd >= 0) ::close(fd);
  if (err != 0) {
    ::close(pipe_fds[0]);
    return Failure{std::string("audio host: cannot start: ") + std::strerror(err)};
  }
  return AudioHostProcess(pid, pipe_fds[0]);
}

AudioHostProcess::AudioHostProcess(AudioHostProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      report_fd_(std::exchange(other.report_fd_, -1)),
      pending_(std::move(other.pending_)) {}

AudioHostProcess& AudioHostProcess::operator=(AudioHostProcess&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    pid_ = std::exchange(other.pid_, -1);
    report_fd_ = std::exchange(other.report_fd_, -1);
    pending_ = std::move(other.pending_);
  }
  return *this;
}

AudioHostProcess::~AudioHostProcess() { kill_and_reap(); }

void AudioHostProcess::kill_and_reap() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  if (report_fd_ >= 0) ::close(report_fd_);
  pid_ = -1;
  report_fd_ = -1;
}

std::optional<AudioHostEvent> AudioHostProcess::next_event(Duration bound) {
  if (report_fd_ < 0) return std::nullopt;
  const TimePoint give_up = SteadyClock().now() + bound;
  for (;;) {
    const size_t eol = pending_.find('\n');
    if (eol != std::string::npos) {
      const auto parts = split_tabs(pending_.substr(0, eol));
      pending_.erase(0, eol + 1);
      AudioHostEvent event;
      event.ready = parts[0] == "ready";
      if (event.ready && parts.size() >= 4) {
        event.input_name = parts[1];
        event.output_name = parts[2];
        event.note = parts[3];
      } else {
        event.ready = false;
        event.error = parts.size() >= 2 ? parts[1] : "the audio host sent a malformed report";
      }
      return event;
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(give_up - SteadyClock().now());
    pollfd p{report_fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    char buf[512];
    const ssize_t n = ::read(report_fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(report_fd_);
      report_fd_ = -1;
      return AudioHostEvent{false, "the audio host exited unexpectedly", "", "", ""};
    }
    pending_.append(buf, static_cast<size_t>(n));
    if (pending_.size() > kMaxReportLine && pending_.find('\n') == std::string::npos) {
      pending_.clear();
      return AudioHostEvent{false, "the audio host sent a malformed report", "", "", ""};
    }
  }
}

}  // namespace koe
