// Helpers for the app-core tests (contacts, presence, calls, host cache): distinct
// node IDs, a temporary profile directory removed at scope exit, raw file access.
// Each test thread owns its instances.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "net/identity.hpp"
#include "tests/support/child_process.hpp"

namespace koe::test {

// A NodeId whose bytes all equal `n`: distinct per n, and ordered by n.
inline NodeId test_node_id(uint8_t n) {
  NodeId id;
  id.bytes.fill(n);
  return id;
}

class ScopedTempDir {
 public:
  ScopedTempDir() : path_(make_temp_dir("koe-app-test-")) {}
  ~ScopedTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_text(const std::filesystem::path& p, std::string_view text) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

inline mode_t permissions_of(const std::filesystem::path& p) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

inline size_t files_in(const std::filesystem::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

}  // namespace koe::test
