// RealtimeScope marks the current thread as inside a real-time audio callback
// for its lifetime, so tests can prove (by hooking operator new) that callbacks
// never allocate. Any thread; it costs one thread_local store and owns nothing.
#pragma once

namespace koe {

class RealtimeScope {
 public:
  RealtimeScope() { flag() = true; }
  ~RealtimeScope() { flag() = false; }
  RealtimeScope(const RealtimeScope&) = delete;
  RealtimeScope& operator=(const RealtimeScope&) = delete;

  static bool active() { return flag(); }

 private:
  // Constant-initialised and trivially destructible: no guard variable and no
  // allocation on first use, even on a thread PortAudio created.
  static bool& flag() {
    thread_local bool inside = false;
    return inside;
  }
};

}  // namespace koe
