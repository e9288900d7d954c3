#include "ui/incoming_call_popup.hpp"

#include <imgui.h>

#include <cmath>

#include "ui/theme.hpp"
#include "ui/view_format.hpp"
#include "ui/widgets.hpp"

namespace koe::ui {

namespace {
constexpr const char* kPopup = "Incoming call";
}  // namespace

bool incoming_call_ringing(const AppSnapshot& snapshot) {
  return snapshot.call && snapshot.call->direction == CallDirection::kIncoming &&
         snapshot.call->state == CallState::kRinging;
}

void IncomingCallPopup::draw(const AppSnapshot& snapshot, const CommandSink& sink) {
  const bool ringing = incoming_call_ringing(snapshot);
  if (ringing && !ImGui::IsPopupOpen(kPopup)) ImGui::OpenPopup(kPopup);
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->GetCenter(), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  if (!ImGui::BeginPopupModal(kPopup, nullptr, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoMove)) return;
  if (!ringing) {  // answered elsewhere, cancelled by the caller, or accepted/declined here
    ImGui::CloseCurrentPopup();
    widgets::end_popup();
    return;
  }
  const CallView& call = *snapshot.call;
  // A gently pulsing bell line, so a glance shows it is live.
  const float pulse = 0.6f + 0.4f * std::sin(static_cast<float>(ImGui::GetTime()) * 4.0f);
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(theme::good().x, theme::good().y, theme::good().z, pulse));
  ImGui::TextUnformatted("Ringing");
  ImGui::PopStyleColor();
  ImGui::TextUnformatted(call_status_line(call).c_str());
  ImGui::TextDisabled("%s", grouped_user_id(call.peer_id).c_str());
  ImGui::Spacing();
  if (widgets::button("Accept", widgets::Tone::kGood, true, ImVec2(ImGui::GetFontSize() * 7, 0)))
    sink(command::Accept{});
  ImGui::SameLine();
  if (widgets::button("Decline", widgets::Tone::kDanger, true, ImVec2(ImGui::GetFontSize() * 7, 0)))
    sink(command::Decline{});
  widgets::end_popup();
}

}  // namespace koe::ui
