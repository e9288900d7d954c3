// The audio host: PortAudio runs in a child process (this same executable,
// started again), writing into AudioRings shared with the parent. PortAudio
// 19.6's ALSA backend can spin forever in its error path when a device vanishes
// (upstream issue #1037) -- a thread that can be neither joined nor stopped --
// so the parent's supervisor recovers by killing the whole host and starting a
// fresh one. AudioHostProcess (parent side) belongs to one thread; the host side
// runs before main() in the child and never returns.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "audio/audio_rings.hpp"
#include "net/clock.hpp"
#include "net/expected.hpp"

namespace koe {

// What the host reports: ready (streams running, with the device names) or
// failed (why). A host reports ready at most once; failed is its last word.
struct AudioHostEvent {
  bool ready = false;
  std::string error;  // when !ready
  std::string input_name;
  std::string output_name;
  std::string note;  // e.g. a named device was missing and the default is used
};

class AudioHostProcess {
 public:
  // Starts a host that maps `rings` (made by RingsMemory::shared()) and opens
  // the devices the selectors name.
  static Expected<AudioHostProcess, std::string> spawn(const RingsMemory& rings,
                                                       const std::string& input_selector,
                                                       const std::string& output_selector);
  AudioHostProcess(AudioHostProcess&& other) noexcept;
  AudioHostProcess& operator=(AudioHostProcess&& other) noexcept;
  ~AudioHostProcess();  // SIGKILL and reap: safe even if PortAudio hangs in there

  // The host's next report, waiting at most `bound` (zero: just look). A host
  // that dies without a word reports failed.
  std::optional<AudioHostEvent> next_event(Duration bound);

 private:
  AudioHostProcess(pid_t pid, int report_fd) : pid_(pid), report_fd_(report_fd) {}
  void kill_and_reap();

  pid_t pid_ = -1;
  int report_fd_ = -1;
  std::string pending_;  // bytes of an unfinished report line
};

}  // namespace koe
