// The --stats-json file a headless node under test keeps (rewritten atomically every
// second), read by end-to-end tests. Any thread.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

namespace koe::test {

// The file as it is now, or null (not written yet, or unreadable).
inline nlohmann::json read_stats(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return text.empty() ? nlohmann::json() : nlohmann::json::parse(text, nullptr, false);
}

}  // namespace koe::test
