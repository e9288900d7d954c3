// The settings the desktop app edits: the profile's Settings plus the desktop's own
// keys kept in settings.json (audio devices, voice processing switches, ringtone, bootstrap
// supernodes), the editable form of both, and inline validation in the user's words.
// Plain values and pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli.hpp"
#include "app/settings.hpp"

namespace koe::ui {

// settings.json keys this app owns (Settings::other_fields keeps them for us).
inline constexpr const char* kAudioInputKey = "audio_input";
inline constexpr const char* kAudioOutputKey = "audio_output";
inline constexpr const char* kEchoCancellationKey = "echo_cancellation";
inline constexpr const char* kNoiseSuppressionKey = "noise_suppression";
inline constexpr const char* kAutomaticGainKey = "automatic_gain";
inline constexpr const char* kPlayRingtoneKey = "play_ringtone";
inline constexpr const char* kBootstrapKey = "bootstrap";

// The desktop's keys as read from settings.json; a missing or mistyped key (or a
// bootstrap entry that does not parse) takes its default.
struct DesktopSettings {
  std::string audio_input;   // a device selector (see choose_device); empty: the default device
  std::string audio_output;
  bool echo_cancellation = true;
  bool noise_suppression = true;
  bool automatic_gain = true;
  bool play_ringtone = true;  // incoming calls ring, outgoing ones play the ring-back tone
  std::vector<HostPort> bootstrap;
};
DesktopSettings desktop_settings(const Settings& settings);

// The settings page's fields, as typed.
struct SettingsForm {
  std::string display_name;
  std::string listen_port;
  bool volunteer_supernode = true;  // "auto" (or "always" when it was); off is "never"
  std::string audio_input;
  std::string audio_output;
  bool echo_cancellation = true;
  bool noise_suppression = true;
  bool automatic_gain = true;
  bool play_ringtone = true;
  std::string bootstrap;  // one HOST:PORT per line; blank lines are ignored

  friend bool operator==(const SettingsForm&, const SettingsForm&) = default;
};
SettingsForm make_form(const Settings& settings);

// What is wrong with each field, in words for the person typing; empty when fine.
struct FormProblems {
  std::string display_name;
  std::string listen_port;
  std::string bootstrap;
  bool empty() const { return display_name.empty() && listen_port.empty() && bootstrap.empty(); }
};
FormProblems check_form(const SettingsForm& form);

// The name as stored: surrounding white space removed.
std::string clean_display_name(std::string_view name);
// Why a name cannot be used (empty, too long, not text), or nullopt.
std::optional<std::string> display_name_problem(std::string_view name);
// Why text is not a listening port (1025-65535), or nullopt.
std::optional<std::string> listen_port_problem(std::string_view text);
// The first bad line of a bootstrap list ("line 2: 'x': expected HOST:PORT"), or nullopt.
std::optional<std::string> bootstrap_problem(std::string_view lines);

// `base` with the form's values, for a form whose check_form is empty.
Settings apply_form(const SettingsForm& form, const Settings& base);

}  // namespace koe::ui
