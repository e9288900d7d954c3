#include "ui/home_view.hpp"

#include <imgui.h>

#include "ui/view_format.hpp"

namespace koe::ui {

void HomeView::draw(const AppSnapshot& snapshot) {
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
  constexpr ImGuiWindowFlags kFlags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                      ImGuiWindowFlags_NoSavedSettings;
  ImGui::Begin("Koe", nullptr, kFlags);

  ImGui::TextUnformatted(snapshot.display_name.empty() ? "Koe" : snapshot.display_name.c_str());
  ImGui::Separator();
  ImGui::TextUnformatted("Your ID");
  ImGui::TextUnformatted(grouped_user_id(snapshot.user_id).c_str());
  ImGui::SameLine();
  if (ImGui::Button("Copy")) {
    ImGui::SetClipboardText(snapshot.user_id.c_str());
    copied_ = true;
  }
  if (copied_) {
    ImGui::SameLine();
    ImGui::TextDisabled("Copied");
  }
  ImGui::Spacing();
  ImGui::TextUnformatted(network_state_line(snapshot).c_str());
  ImGui::TextDisabled("Profile: %s", snapshot.profile_dir.c_str());
  ImGui::End();
}

}  // namespace koe::ui
