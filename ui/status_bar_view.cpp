#include "ui/status_bar_view.hpp"

#include <imgui.h>

#include <array>

#include "ui/theme.hpp"
#include "ui/view_format.hpp"
#include "ui/widgets.hpp"

namespace koe::ui {

namespace {

// What the selector offers; kOffline (signed out) is not a choice here.
constexpr std::array kChoices = {OwnPresence::kOnline, OwnPresence::kAway, OwnPresence::kDoNotDisturb,
                                 OwnPresence::kInvisible};

PresenceState shown_as(OwnPresence presence) {
  switch (presence) {
    case OwnPresence::kOnline:
      return PresenceState::kOnline;
    case OwnPresence::kAway:
      return PresenceState::kAway;
    case OwnPresence::kDoNotDisturb:
      return PresenceState::kDoNotDisturb;
    case OwnPresence::kInvisible:
    case OwnPresence::kOffline:
      return PresenceState::kOffline;
  }
  return PresenceState::kOffline;
}

}  // namespace

void StatusBarView::draw(const AppSnapshot& snapshot, const CommandSink& sink) {
  widgets::presence_dot(shown_as(snapshot.own_presence));
  ImGui::TextUnformatted(snapshot.display_name.empty() ? "Koe" : snapshot.display_name.c_str());
  ImGui::SameLine();
  std::array<const char*, kChoices.size()> labels{};
  int index = 0;
  for (size_t i = 0; i < kChoices.size(); ++i) {
    labels[i] = own_presence_label(kChoices[i]).data();
    if (kChoices[i] == snapshot.own_presence) index = static_cast<int>(i);
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
  if (widgets::combo("##Status", index, labels.data(), static_cast<int>(labels.size())))
    sink(command::SetPresence{kChoices[static_cast<size_t>(index)]});

  ImGui::SameLine();
  ImGui::TextDisabled("ID %s", grouped_user_id(snapshot.user_id).c_str());
  ImGui::SameLine();
  if (widgets::button("Copy my ID")) {
    ImGui::SetClipboardText(snapshot.user_id.c_str());
    copied_ = true;
  }
  if (copied_) {
    ImGui::SameLine();
    widgets::quiet_text("Copied");
  }

  widgets::coloured_dot(theme::network(snapshot.network));
  ImGui::TextUnformatted(network_state_line(snapshot).c_str());
  ImGui::Separator();
}

}  // namespace koe::ui
