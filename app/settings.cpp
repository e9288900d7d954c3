#include "app/settings.hpp"

#include "net/udp_host.hpp"
#include "net/utf8.hpp"

namespace koe {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kDisplayName = "display_name";
constexpr const char* kListenPort = "listen_port";
constexpr const char* kSupernodeMode = "supernode_mode";

// nlohmann's messages start with "[json.exception.parse_error.101] "; the rest is for people.
std::string without_exception_tag(const char* what) {
  std::string_view text(what);
  if (text.starts_with('[')) {
    const size_t end = text.find("] ");
    if (end != std::string_view::npos) text.remove_prefix(end + 2);
  }
  return std::string(text);
}

std::string display_name_problem() {
  return "\"display_name\" should be text of at most " + std::to_string(kMaxDisplayNameBytes) + " bytes";
}

std::string listen_port_problem() {
  return "\"listen_port\" should be a whole number from " + std::to_string(kMinListenPort) + " to " +
         std::to_string(kMaxListenPort);
}

}  // namespace

std::string_view to_string(SupernodeMode mode) {
  switch (mode) {
    case SupernodeMode::kAuto:
      return "auto";
    case SupernodeMode::kAlways:
      return "always";
    case SupernodeMode::kDisabled:
      return "never";
  }
  return "auto";
}

std::optional<SupernodeMode> parse_supernode_mode(std::string_view text) {
  for (auto mode : {SupernodeMode::kAuto, SupernodeMode::kAlways, SupernodeMode::kDisabled})
    if (text == to_string(mode)) return mode;
  return std::nullopt;
}

Settings default_settings(Random& random) {
  Settings s;
  s.listen_port = static_cast<uint16_t>(kMinListenPort + random.uniform(kMaxListenPort - kMinListenPort + 1));
  return s;
}

Expected<ParsedSettings, std::string> parse_settings(std::string_view text, const Settings& defaults) {
  Json json;
  try {
    json = Json::parse(text);
  } catch (const Json::exception& e) {
    return Failure{"is not valid JSON: " + without_exception_tag(e.what())};
  }
  if (!json.is_object()) return Failure{std::string("should hold a JSON object ({...})")};

  ParsedSettings parsed{defaults, false};
  Settings& s = parsed.settings;
  s.other_fields = Json::object();
  for (auto& [key, value] : json.items()) {
    if (key == kDisplayName) {
      if (!value.is_string()) return Failure{display_name_problem()};
      s.display_name = value.get<std::string>();
    } else if (key == kListenPort) {
      // Range-checked before narrowing; validate_settings checks the lower bound.
      if (!value.is_number_integer() || value.get<int64_t>() < 0 || value.get<int64_t>() > kMaxListenPort) {
        return Failure{listen_port_problem()};
      }
      s.listen_port = static_cast<uint16_t>(value.get<int64_t>());
    } else if (key == kSupernodeMode) {
      const auto mode = value.is_string() ? parse_supernode_mode(value.get_ref<const std::string&>()) : std::nullopt;
      if (!mode) return Failure{std::string("\"supernode_mode\" should be \"auto\", \"always\" or \"never\"")};
      s.supernode_mode = *mode;
    } else {
      s.other_fields[key] = std::move(value);
    }
  }
  if (auto problem = validate_settings(s)) return Failure{*problem};
  parsed.used_defaults = !json.contains(kDisplayName) || !json.contains(kListenPort) || !json.contains(kSupernodeMode);
  return parsed;
}

std::optional<std::string> validate_settings(const Settings& settings) {
  if (settings.display_name.size() > kMaxDisplayNameBytes || !is_valid_wire_text(settings.display_name)) {
    return display_name_problem();
  }
  if (settings.listen_port < kMinListenPort) return listen_port_problem();
  return std::nullopt;
}

std::string encode_settings(const Settings& settings) {
  Json json = Json::object();
  json[kDisplayName] = settings.display_name;
  json[kListenPort] = settings.listen_port;
  json[kSupernodeMode] = std::string(to_string(settings.supernode_mode));
  for (const auto& [key, value] : settings.other_fields.items()) json[key] = value;
  return json.dump(2) + "\n";
}

}  // namespace koe
