#include "ui/in_call_view.hpp"

#include <imgui.h>

#include "ui/quality_panel.hpp"
#include "ui/view_format.hpp"
#include "ui/widgets.hpp"

namespace koe::ui {

void InCallView::draw(const AppSnapshot& snapshot, const CommandSink& sink) {
  const CallView& call = *snapshot.call;
  if (call_ != call.id) {
    call_ = call.id;
    volume_ = 1.0f;  // each call starts at the peer's own level
  }
  history_.update(call);

  const bool active = call.state == CallState::kActive;
  widgets::heading(call_status_line(call));
  ImGui::TextDisabled("%s", grouped_user_id(call.peer_id).c_str());
  ImGui::Spacing();
  if (!active) {
    widgets::quiet_text(call.state == CallState::kRinging ? "Their device is ringing." : "Finding them on the network...");
    if (widgets::button("Cancel", widgets::Tone::kDanger)) sink(command::HangUp{});
    return;
  }

  ImGui::SetWindowFontScale(1.8f);
  ImGui::TextUnformatted(format_duration(call.duration_s).c_str());
  ImGui::SetWindowFontScale(1.0f);
  if (widgets::button(snapshot.muted ? "Unmute" : "Mute", snapshot.muted ? widgets::Tone::kPrimary : widgets::Tone::kNormal))
    sink(command::SetMuted{!snapshot.muted});
  ImGui::SameLine();
  if (widgets::button("Hang up", widgets::Tone::kDanger)) sink(command::HangUp{});
  if (snapshot.muted) {
    ImGui::SameLine();
    widgets::quiet_text("They cannot hear you");
  }

  ImGui::Spacing();
  widgets::level_meter("Microphone", snapshot.muted ? 0.0f : snapshot.input_level);
  widgets::level_meter("Speaker", snapshot.output_level);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
  if (widgets::volume_slider("Their volume", volume_)) sink(command::SetPeerVolume{volume_});

  draw_quality_panel(call.stats, history_);
}

}  // namespace koe::ui
