#include "ui/settings_form.hpp"

#include <cctype>

#include "net/udp_host.hpp"
#include "net/utf8.hpp"

namespace koe::ui {

namespace {

using Json = nlohmann::ordered_json;

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// Calls `line(number, text)` for each non-blank trimmed line; stops when it returns false.
template <typename F>
void for_each_line(std::string_view lines, F&& line) {
  size_t number = 0;
  while (!lines.empty()) {
    const size_t end = lines.find('\n');
    const std::string_view raw = lines.substr(0, end);
    lines = end == std::string_view::npos ? std::string_view{} : lines.substr(end + 1);
    ++number;
    const std::string_view text = trim(raw);
    if (!text.empty() && !line(number, text)) return;
  }
}

std::string text_field(const Json& fields, const char* key) {
  const auto it = fields.find(key);
  return it != fields.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool flag_field(const Json& fields, const char* key, bool fallback) {
  const auto it = fields.find(key);
  return it != fields.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

}  // namespace

DesktopSettings desktop_settings(const Settings& settings) {
  const Json& fields = settings.other_fields;
  DesktopSettings out;
  if (!fields.is_object()) return out;
  out.audio_input = text_field(fields, kAudioInputKey);
  out.audio_output = text_field(fields, kAudioOutputKey);
  out.echo_cancellation = flag_field(fields, kEchoCancellationKey, true);
  out.noise_suppression = flag_field(fields, kNoiseSuppressionKey, true);
  out.automatic_gain = flag_field(fields, kAutomaticGainKey, true);
  out.play_ringtone = flag_field(fields, kPlayRingtoneKey, true);
  if (const auto it = fields.find(kBootstrapKey); it != fields.end() && it->is_array()) {
    for (const Json& entry : *it) {
      if (!entry.is_string()) continue;
      if (auto parsed = parse_host_port(trim(entry.get_ref<const std::string&>()))) out.bootstrap.push_back(*parsed);
    }
  }
  return out;
}

SettingsForm make_form(const Settings& settings) {
  const DesktopSettings desktop = desktop_settings(settings);
  SettingsForm form;
  form.display_name = settings.display_name;
  form.listen_port = std::to_string(settings.listen_port);
  form.volunteer_supernode = settings.supernode_mode != SupernodeMode::kDisabled;
  form.audio_input = desktop.audio_input;
  form.audio_output = desktop.audio_output;
  form.echo_cancellation = desktop.echo_cancellation;
  form.noise_suppression = desktop.noise_suppression;
  form.automatic_gain = desktop.automatic_gain;
  form.play_ringtone = desktop.play_ringtone;
  for (const HostPort& entry : desktop.bootstrap) form.bootstrap += entry.host + ":" + std::to_string(entry.port) + "\n";
  return form;
}

std::string clean_display_name(std::string_view name) { return std::string(trim(name)); }

std::optional<std::string> display_name_problem(std::string_view name) {
  const std::string_view trimmed = trim(name);
  if (trimmed.empty()) return "Choose a name others will see";
  if (trimmed.size() > kMaxDisplayNameBytes)
    return "At most " + std::to_string(kMaxDisplayNameBytes) + " bytes (this is " + std::to_string(trimmed.size()) + ")";
  if (!is_valid_wire_text(trimmed)) return "Only plain text, please";
  return std::nullopt;
}

std::optional<std::string> listen_port_problem(std::string_view text) {
  const std::string_view digits = trim(text);
  const std::string range = std::to_string(kMinListenPort) + " to " + std::to_string(kMaxListenPort);
  if (digits.empty() || digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string_view::npos)
    return "A port is a whole number from " + range;
  const int port = std::stoi(std::string(digits));
  if (port < kMinListenPort) return "Ports below " + std::to_string(kMinListenPort) + " are reserved; use " + range;
  if (port > kMaxListenPort) return "The highest port is " + std::to_string(kMaxListenPort);
  return std::nullopt;
}

std::optional<std::string> bootstrap_problem(std::string_view lines) {
  std::optional<std::string> problem;
  for_each_line(lines, [&](size_t number, std::string_view line) {
    std::string why;
    if (parse_host_port(line, &why)) return true;
    problem = "Line " + std::to_string(number) + ": " + why;
    return false;
  });
  return problem;
}

FormProblems check_form(const SettingsForm& form) {
  FormProblems problems;
  problems.display_name = display_name_problem(form.display_name).value_or("");
  problems.listen_port = listen_port_problem(form.listen_port).value_or("");
  problems.bootstrap = bootstrap_problem(form.bootstrap).value_or("");
  return problems;
}

Settings apply_form(const SettingsForm& form, const Settings& base) {
  Settings out = base;
  out.display_name = clean_display_name(form.display_name);
  if (!listen_port_problem(form.listen_port)) out.listen_port = static_cast<uint16_t>(std::stoi(std::string(trim(form.listen_port))));
  if (!form.volunteer_supernode) {
    out.supernode_mode = SupernodeMode::kDisabled;
  } else if (base.supernode_mode == SupernodeMode::kDisabled) {
    out.supernode_mode = SupernodeMode::kAuto;
  }
  if (!out.other_fields.is_object()) out.other_fields = Json::object();
  Json& fields = out.other_fields;
  fields[kAudioInputKey] = form.audio_input;
  fields[kAudioOutputKey] = form.audio_output;
  fields[kEchoCancellationKey] = form.echo_cancellation;
  fields[kNoiseSuppressionKey] = form.noise_suppression;
  fields[kAutomaticGainKey] = form.automatic_gain;
  fields[kPlayRingtoneKey] = form.play_ringtone;
  Json bootstrap = Json::array();
  for_each_line(form.bootstrap, [&](size_t, std::string_view line) {
    bootstrap.push_back(std::string(line));
    return true;
  });
  fields[kBootstrapKey] = std::move(bootstrap);
  return out;
}

}  // namespace koe::ui
