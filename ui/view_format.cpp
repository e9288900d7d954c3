#include "ui/view_format.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace koe::ui {

namespace {

template <typename... Args>
std::string printf_string(const char* format, Args... args) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, args...);
  return buffer;
}

}  // namespace

std::string network_state_line(const AppSnapshot& snapshot) {
  const std::string& detail = snapshot.network_detail;
  switch (snapshot.network) {
    case NetworkState::kStarting:
      return "Starting...";
    case NetworkState::kListening:
      return "Listening on UDP port " + std::to_string(snapshot.listen_port);
    case NetworkState::kConnecting:
      return detail.empty() ? "Connecting..." : "Connecting... (" + detail + ")";
    case NetworkState::kOnline:
      if (snapshot.role == NodeRole::kSupernode) return "Online, acting as a supernode";
      if (detail.empty()) return "Online";
      // The node words it "via supernode 1.2.3.4:5"; anything else goes in brackets.
      return detail.starts_with("via ") ? "Online " + detail : "Online (" + detail + ")";
    case NetworkState::kOffline:
    case NetworkState::kFailed:
      return detail.empty() ? "Offline" : "Offline: " + detail;
    case NetworkState::kStopped:
      return "Stopped";
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

std::string person_label(const std::string& display_name, const std::string& user_id) {
  if (!display_name.empty()) return display_name;
  constexpr size_t kHead = 10, kTail = 6;
  if (user_id.size() <= kHead + kTail + 3) return user_id;
  return user_id.substr(0, kHead) + "..." + user_id.substr(user_id.size() - kTail);
}

std::string_view presence_label(PresenceState state) {
  switch (state) {
    case PresenceState::kOnline:
      return "Online";
    case PresenceState::kAway:
      return "Away";
    case PresenceState::kDoNotDisturb:
      return "Do not disturb";
    case PresenceState::kOffline:
      return "Offline";
  }
  return "Offline";
}

std::string_view own_presence_label(OwnPresence presence) {
  switch (presence) {
    case OwnPresence::kOnline:
      return "Online";
    case OwnPresence::kAway:
      return "Away";
    case OwnPresence::kDoNotDisturb:
      return "Do not disturb";
    case OwnPresence::kInvisible:
      return "Invisible";
    case OwnPresence::kOffline:
      return "Offline";
  }
  return "Offline";
}

std::string format_duration(double seconds) {
  const long long total = std::isfinite(seconds) && seconds > 0 ? static_cast<long long>(seconds) : 0;
  const long long h = total / 3600, m = total / 60 % 60, s = total % 60;
  if (h > 0) return printf_string("%lld:%02lld:%02lld", h, m, s);
  return printf_string("%lld:%02lld", m, s);
}

std::string format_local_time(int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm local{};
  if (localtime_r(&t, &local) == nullptr) return "-";
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M", &local);
  return buffer;
}

std::string_view mos_words(double mos) {
  if (mos >= 4.34) return "Excellent";
  if (mos >= 4.03) return "Good";
  if (mos >= 3.60) return "Fair";
  if (mos >= 3.10) return "Poor";
  return "Bad";
}

std::string call_end_words(std::string_view reason) {
  struct Words {
    std::string_view reason, words;
  };
  static constexpr Words kWords[] = {
      {"hung_up", "You hung up"},
      {"peer_hung_up", "They hung up"},
      {"cancelled", "Cancelled"},
      {"peer_cancelled", "Missed call"},
      {"declined", "You declined"},
      {"peer_declined", "Declined"},
      {"busy", "Busy in another call"},
      {"not_allowed", "Takes calls from contacts only"},
      {"do_not_disturb", "Do not disturb"},
      {"no_answer", "No answer"},
      {"unreachable", "Could not be reached"},
      {"peer_vanished", "Connection lost"},
      {"replaced", "Joined their call to you"},
  };
  for (const auto& w : kWords)
    if (w.reason == reason) return std::string(w.words);
  // A free-text failure from the node ("unknown ID"): capitalised, underscores as spaces.
  std::string text(reason);
  for (char& c : text)
    if (c == '_') c = ' ';
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 'a' + 'A');
  return text;
}

std::string call_status_line(const CallView& call) {
  const std::string who = person_label(call.peer_name, call.peer_id);
  if (call.state == CallState::kActive) return "In a call with " + who;
  if (call.direction == CallDirection::kIncoming) return who + " is calling";
  return (call.state == CallState::kRinging ? "Ringing " : "Calling ") + who + "...";
}

std::string_view path_label(CallPath path) {
  switch (path) {
    case CallPath::kDirect:
      return "Direct";
    case CallPath::kLan:
      return "Same network (LAN)";
    case CallPath::kRelay:
      return "Relayed";
    case CallPath::kUnknown:
      return "-";
  }
  return "-";
}

std::string format_milliseconds(std::optional<Duration> value) {
  if (!value) return "-";
  return printf_string("%lld ms", static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(*value).count()));
}

std::string format_percent(double fraction) {
  if (!std::isfinite(fraction) || fraction < 0) fraction = 0;
  return printf_string("%.1f %%", fraction * 100.0);
}

std::string format_bitrate(uint32_t bits_per_second) {
  return printf_string("%u kbit/s", (bits_per_second + 500) / 1000);
}

std::string format_bytes(uint64_t bytes) {
  if (bytes < 1024) return printf_string("%llu B", static_cast<unsigned long long>(bytes));
  const char* units[] = {"KB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes) / 1024.0;
  size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < std::size(units)) {
    value /= 1024.0;
    ++unit;
  }
  return printf_string("%.1f %s", value, units[unit]);
}

std::string format_kbps(double kbps) {
  if (kbps < 1000) return printf_string("%.0f kbit/s", kbps);
  if (kbps < 1'000'000) return printf_string("%.1f Mbit/s", kbps / 1000);
  return printf_string("%.1f Gbit/s", kbps / 1'000'000);
}

}  // namespace koe::ui
