// PresenceState: what a contact sees of a node (online, away, do not disturb, offline),
// as carried in presence updates. Plain value type and pure functions; any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace koe {

// The wire values of PresenceUpdate's state byte; "invisible" is announced as kOffline.
enum class PresenceState : uint8_t {
  kOffline = 0,
  kOnline = 1,
  kAway = 2,
  kDoNotDisturb = 3,
};
inline constexpr uint8_t kMaxPresenceStateValue = 3;

// "offline", "online", "away", "do_not_disturb".
constexpr std::string_view to_string(PresenceState state) {
  switch (state) {
    case PresenceState::kOffline:
      return "offline";
    case PresenceState::kOnline:
      return "online";
    case PresenceState::kAway:
      return "away";
    case PresenceState::kDoNotDisturb:
      return "do_not_disturb";
  }
  return "offline";
}

}  // namespace koe
