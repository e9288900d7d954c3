// The user's settings as stored in the profile's settings.json: display name, listen
// port, supernode mode; fields this version does not know are kept and written back.
// Plain values and pure functions; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "index/presence_record.hpp"
#include "net/env.hpp"
#include "net/expected.hpp"

namespace koe {

enum class SupernodeMode {
  kAuto,      // "auto": volunteer when the node qualifies (reachable, uptime, bandwidth)
  kAlways,    // "always"
  kDisabled,  // "never" (not kNever, which net/clock.hpp's time constant already names)
};

std::string_view to_string(SupernodeMode mode);  // "auto", "always", "never"
std::optional<SupernodeMode> parse_supernode_mode(std::string_view text);

// kMaxDisplayNameBytes (UTF-8 bytes) comes from the presence record the name must fit in.

struct Settings {
  std::string display_name;
  uint16_t listen_port = 0;
  SupernodeMode supernode_mode = SupernodeMode::kAuto;
  // Members of settings.json that this version does not interpret, in file order.
  nlohmann::ordered_json other_fields = nlohmann::ordered_json::object();
};

// First-run settings: empty name, a random port in 1025-65535, supernode mode auto.
Settings default_settings(Random& random);

struct ParsedSettings {
  Settings settings;
  bool used_defaults = false;  // a known field was missing and took its value from `defaults`
};

// Reads settings.json text; missing fields take their value from `defaults`.
// Errors say what is wrong (without the file name).
Expected<ParsedSettings, std::string> parse_settings(std::string_view text, const Settings& defaults);

// What is wrong with values a user gave (e.g. a display name too long, not UTF-8, or
// holding U+0000; a port below 1025), in the words parse_settings uses; nullopt if fine.
std::optional<std::string> validate_settings(const Settings& settings);

// Pretty-printed JSON ending in a newline, for settings that pass validate_settings
// (nlohmann throws on a string that is not UTF-8).
std::string encode_settings(const Settings& settings);

}  // namespace koe
