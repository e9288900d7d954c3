// UnprivilegedScope: when a test runs as root (as CI does), runs the rest of the
// scope with effective uid/gid 65534 (nobody), after handing it the given paths, so
// permission checks that root bypasses still happen. Restores root at scope exit.
// Single-threaded tests only (seteuid applies to the whole process).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <vector>

namespace koe::test {

class UnprivilegedScope {
 public:
  static constexpr uid_t kNobody = 65534;
  explicit UnprivilegedScope(const std::vector<std::filesystem::path>& hand_over) {
    if (::geteuid() != 0) return;
    for (const auto& path : hand_over) {
      if (::chown(path.c_str(), kNobody, kNobody) != 0) return;
    }
    active_ = ::setegid(kNobody) == 0 && ::seteuid(kNobody) == 0;
  }
  ~UnprivilegedScope() {
    if (!active_) return;
    [[maybe_unused]] const int uid = ::seteuid(0);
    [[maybe_unused]] const int gid = ::setegid(0);
  }
  UnprivilegedScope(const UnprivilegedScope&) = delete;
  UnprivilegedScope& operator=(const UnprivilegedScope&) = delete;
  // False when running as root failed to drop privileges (the test should fail).
  bool ok() const { return active_ || ::geteuid() != 0; }

 private:
  bool active_ = false;
};

}  // namespace koe::test
