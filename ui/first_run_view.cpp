#include "ui/first_run_view.hpp"

#include <imgui.h>

#include <algorithm>

#include "ui/settings_form.hpp"
#include "ui/view_format.hpp"
#include "ui/widgets.hpp"

namespace koe::ui {

std::optional<std::string> FirstRunView::draw(const std::string& user_id, bool saving, const std::string& save_error) {
  widgets::begin_page("First run");
  const float width = std::min(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 30);
  ImGui::SetCursorPosX((ImGui::GetWindowWidth() - width) * 0.5f);
  ImGui::BeginGroup();
  ImGui::PushItemWidth(width);
  ImGui::Dummy(ImVec2(width, ImGui::GetFontSize() * 2));
  widgets::heading("Welcome to Koe");
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  ImGui::TextUnformatted("Free voice calls, person to person. Choose the name your contacts will see.");
  ImGui::Spacing();

  // Shown once the user has typed something: an empty field is not yet a mistake.
  const auto problem = display_name_problem(name_);
  widgets::text_field("Display name", name_, "e.g. Hanako or 花子", name_.empty() ? "" : problem.value_or(""));
  ImGui::Spacing();
  ImGui::TextUnformatted("Your Koe ID");
  widgets::quiet_text("Give it to friends so they can find you. It is yours alone.");
  ImGui::TextUnformatted(grouped_user_id(user_id).c_str());
  if (widgets::button("Copy ID")) {
    ImGui::SetClipboardText(user_id.c_str());
    copied_ = true;
  }
  if (copied_) {
    ImGui::SameLine();
    widgets::quiet_text("Copied");
  }
  ImGui::Spacing();
  std::optional<std::string> chosen;
  if (widgets::button(saving ? "Saving..." : "Continue", widgets::Tone::kPrimary, !problem && !saving))
    chosen = clean_display_name(name_);
  widgets::problem_text(save_error);
  ImGui::PopTextWrapPos();
  ImGui::PopItemWidth();
  ImGui::EndGroup();
  widgets::end_page();
  return chosen;
}

}  // namespace koe::ui
