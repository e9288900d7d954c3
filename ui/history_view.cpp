#include "ui/history_view.hpp"

#include <imgui.h>

#include "ui/view_format.hpp"
#include "ui/widgets.hpp"

namespace koe::ui {

void HistoryView::draw(const AppSnapshot& snapshot, const CommandSink& sink) {
  widgets::heading("Recent calls");
  if (snapshot.call_history.empty()) {
    widgets::quiet_text("No calls yet.");
    return;
  }
  constexpr ImGuiTableFlags kFlags = ImGuiTableFlags_RowBg | ImGuiTableFlags_PadOuterX | ImGuiTableFlags_ScrollY;
  if (!ImGui::BeginTable("history", 6, kFlags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed);
  ImGui::TableSetupColumn("Who", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableSetupColumn("When", ImGuiTableColumnFlags_WidthFixed);
  ImGui::TableSetupColumn("Length", ImGuiTableColumnFlags_WidthFixed);
  ImGui::TableSetupColumn("Result", ImGuiTableColumnFlags_WidthFixed);
  ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed);
  ImGui::TableHeadersRow();
  const bool in_call = snapshot.call.has_value();
  for (auto it = snapshot.call_history.rbegin(); it != snapshot.call_history.rend(); ++it) {
    const CallView& call = *it;
    ImGui::PushID(static_cast<int>(std::distance(snapshot.call_history.rbegin(), it)));
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(call.direction == CallDirection::kOutgoing ? "Out" : "In");
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(person_label(call.peer_name, call.peer_id).c_str());
    ImGui::TableNextColumn();
    widgets::quiet_text(format_local_time(call.started_unix));
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(call.duration_s > 0 ? format_duration(call.duration_s).c_str() : "-");
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(call_end_words(call.end_reason).c_str());
    ImGui::TableNextColumn();
    if (widgets::button("Call back", widgets::Tone::kNormal, !in_call)) sink(command::Call{call.peer_id});
    ImGui::PopID();
  }
  ImGui::EndTable();
}

}  // namespace koe::ui
