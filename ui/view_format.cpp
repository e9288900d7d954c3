#include "ui/view_format.hpp"

namespace koe::ui {

std::string network_state_line(const AppSnapshot& snapshot) {
  switch (snapshot.network) {
    case NetworkState::kStarting:
      return "Starting…";
    case NetworkState::kListening:
      return "Listening on UDP port " + std::to_string(snapshot.listen_port);
    case NetworkState::kStopped:
      return "Stopped";
    case NetworkState::kFailed:
      return "Offline: " + snapshot.network_detail;
  }
  return "Unknown";
}

std::string grouped_user_id(const std::string& user_id) {
  constexpr size_t kPrefix = 4;  // "koe1"
  constexpr size_t kGroup = 6;
  if (user_id.size() <= kPrefix) return user_id;
  std::string out = user_id.substr(0, kPrefix);
  for (size_t i = kPrefix; i < user_id.size(); i += kGroup) {
    out += ' ';
    out += user_id.substr(i, kGroup);
  }
  return out;
}

}  // namespace koe::ui
