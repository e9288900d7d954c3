#include "ui/settings_view.hpp"

#include <imgui.h>

#include "ui/widgets.hpp"

namespace koe::ui {

namespace {

// A device picker: "System default" first, then the listed names; a saved device that
// is not plugged in stays selectable so saving does not silently drop it.
void device_picker(const char* label, std::string& selector, const std::vector<std::string>& names) {
  std::vector<std::string> labels = {"System default"};
  labels.insert(labels.end(), names.begin(), names.end());
  int index = 0;
  for (size_t i = 1; i < labels.size(); ++i)
    if (labels[i] == selector) index = static_cast<int>(i);
  if (!selector.empty() && index == 0) {
    labels.push_back(selector + " (not found)");
    index = static_cast<int>(labels.size() - 1);
  }
  std::vector<const char*> pointers;
  for (const std::string& l : labels) pointers.push_back(l.c_str());
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 18);
  if (widgets::combo(label, index, pointers.data(), static_cast<int>(pointers.size())) &&
      static_cast<size_t>(index) <= names.size())
    selector = index == 0 ? std::string() : names[static_cast<size_t>(index) - 1];
}

}  // namespace

SettingsRequests SettingsView::draw(const AppSnapshot& snapshot, const CommandSink& sink,
                                    const SettingsPageContext& context) {
  SettingsRequests requests;
  const SettingsForm saved_form = make_form(context.saved);
  // Follow the file while nothing is edited, no save is in flight and none failed
  // (a failed save keeps the edits on screen).
  const bool settled = !context.saving && context.save_error.empty();
  if (!loaded_ || (settled && form_ == *loaded_ && saved_form != *loaded_)) {
    form_ = saved_form;
    loaded_ = saved_form;
  }
  const FormProblems problems = check_form(form_);

  widgets::heading("You");
  widgets::text_field("Display name", form_.display_name, "", problems.display_name);

  widgets::heading("Audio");
  if (context.devices.loading) {
    widgets::quiet_text("Looking for audio devices...");
  } else if (!context.devices.error.empty()) {
    widgets::quiet_text("No device list: " + context.devices.error);
  }
  device_picker("Microphone##device", form_.audio_input, context.devices.inputs);
  device_picker("Speaker##device", form_.audio_output, context.devices.outputs);
  if (widgets::button("Refresh devices", widgets::Tone::kNormal, !context.devices.loading)) requests.refresh_devices = true;
  widgets::level_meter("Mic level", snapshot.input_level);
  widgets::quiet_text("Speak: the bar moves while a call or the echo test runs.");
  if (widgets::button("Echo test call", widgets::Tone::kGood, !snapshot.call)) {
    if (!context.echo_service_id.empty()) {
      sink(command::Call{context.echo_service_id});
      note_.clear();
    } else {
      sink(command::Search{"Echo Test"});
      note_ = "Looking for the echo test service: call it from the Search tab.";
    }
  }
  if (!note_.empty()) widgets::quiet_text(note_);
  widgets::checkbox("Echo cancellation", form_.echo_cancellation);
  widgets::checkbox("Noise suppression", form_.noise_suppression);
  widgets::checkbox("Automatic gain", form_.automatic_gain);
  widgets::checkbox("Play ringtone", form_.play_ringtone);

  widgets::heading("Network");
  widgets::text_field("Listening port (UDP)", form_.listen_port, "1025-65535", problems.listen_port,
                      ImGuiInputTextFlags_CharsDecimal);
  widgets::checkbox("Volunteer as a supernode when well connected", form_.volunteer_supernode);
  widgets::multiline_field("Bootstrap supernodes (HOST:PORT, one per line)", form_.bootstrap, 4, problems.bootstrap);

  ImGui::Spacing();
  const bool edited = form_ != *loaded_;
  if (widgets::button(context.saving ? "Saving..." : "Save", widgets::Tone::kPrimary,
                      edited && problems.empty() && !context.saving)) {
    requests.save = apply_form(form_, context.saved);
    loaded_ = form_;  // the file follows once the save lands
  }
  ImGui::SameLine();
  if (widgets::button("Revert", widgets::Tone::kNormal, edited)) form_ = *loaded_;
  widgets::problem_text(context.save_error.empty() ? "" : "Not saved: " + context.save_error);
  if (context.restart_needed) {
    widgets::quiet_text("Saved. Network and audio changes apply when the network restarts.");
    if (widgets::button("Restart network now", widgets::Tone::kNormal, !snapshot.call)) requests.restart_network = true;
  }
  return requests;
}

}  // namespace koe::ui
