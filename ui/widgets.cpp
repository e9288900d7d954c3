#include "ui/widgets.hpp"

#include <imgui_stdlib.h>

#include <algorithm>

#include "ui/item_probe.hpp"
#include "ui/theme.hpp"

namespace koe::ui::widgets {

namespace {

void probe(std::string_view label, bool enabled = true) {
  if (ItemProbe* p = ItemProbe::current()) p->note(label, enabled);
}

// Runs `end` (an ImGui End of a top-level window) with the probe's text capture kept.
template <typename End>
void end_captured(End end) {
  ItemProbe* p = ItemProbe::current();
  if (p) p->pause();
  end();
  if (p) p->resume();
}

ImVec4 darker(ImVec4 c, float factor) { return ImVec4(c.x * factor, c.y * factor, c.z * factor, c.w); }

// "##label": the field's ID, with its caption drawn above it instead of beside it.
std::string hidden_id(const char* label) { return std::string("##") + label; }

}  // namespace

void begin_page(const char* id) {
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
  constexpr ImGuiWindowFlags kFlags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                      ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
  ImGui::Begin(id, nullptr, kFlags);
  if (ItemProbe* p = ItemProbe::current()) p->resume();
}

void end_page() { end_captured([] { ImGui::End(); }); }
void end_popup() { end_captured([] { ImGui::EndPopup(); }); }
void end_combo() { end_captured([] { ImGui::EndCombo(); }); }

void tooltip(const std::string& text) {
  if (!ImGui::IsItemHovered()) return;
  end_captured([&] { ImGui::SetTooltip("%s", text.c_str()); });
}

bool button(const char* label, Tone tone, bool enabled, ImVec2 size) {
  int pushed = 0;
  if (tone != Tone::kNormal) {
    const ImVec4 base = tone == Tone::kPrimary ? theme::accent() : tone == Tone::kGood ? theme::good() : theme::danger();
    ImGui::PushStyleColor(ImGuiCol_Button, darker(base, 0.8f));
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, base);
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, darker(base, 0.65f));
    pushed = 3;
  }
  ImGui::BeginDisabled(!enabled);
  const bool clicked = ImGui::Button(label, size);
  ImGui::EndDisabled();
  ImGui::PopStyleColor(pushed);
  probe(label, enabled);
  return clicked && enabled;
}

bool text_field(const char* label, std::string& value, const char* hint, const std::string& problem,
                ImGuiInputTextFlags flags) {
  ImGui::TextUnformatted(label);
  ImGui::SetNextItemWidth(-1);
  const bool changed = ImGui::InputTextWithHint(hidden_id(label).c_str(), hint, &value, flags);
  probe(label);
  problem_text(problem);
  return changed;
}

bool multiline_field(const char* label, std::string& value, float lines, const std::string& problem) {
  ImGui::TextUnformatted(label);
  const bool changed = ImGui::InputTextMultiline(hidden_id(label).c_str(), &value,
                                                 ImVec2(-1, ImGui::GetTextLineHeightWithSpacing() * lines));
  probe(label);
  problem_text(problem);
  return changed;
}

bool checkbox(const char* label, bool& value) {
  const bool changed = ImGui::Checkbox(label, &value);
  probe(label);
  return changed;
}

bool selectable(const char* label, bool selected) {
  const bool clicked = ImGui::Selectable(label, selected);
  probe(label);
  return clicked;
}

bool tab(const char* label, ImGuiTabItemFlags flags) {
  const bool open = ImGui::BeginTabItem(label, nullptr, flags);
  probe(label);
  return open;
}

bool combo(const char* label, int& index, const char* const* labels, int count) {
  const int shown = std::clamp(index, 0, count - 1);
  bool changed = false;
  const bool open = ImGui::BeginCombo(label, labels[shown]);
  probe(label);
  if (open) {
    for (int i = 0; i < count; ++i) {
      if (selectable(labels[i], i == shown) && i != index) {
        index = i;
        changed = true;
      }
    }
    end_combo();
  }
  return changed;
}

bool volume_slider(const char* label, float& gain) {
  int percent = static_cast<int>(gain * 100.0f + 0.5f);
  const bool changed = ImGui::SliderInt(label, &percent, 0, 200, "%d %%");
  probe(label);
  if (changed) gain = static_cast<float>(percent) / 100.0f;
  return changed;
}

void presence_dot(PresenceState state) { coloured_dot(theme::presence(state)); }

void coloured_dot(ImVec4 colour) {
  const float size = ImGui::GetTextLineHeight();
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(size * 0.8f, size));
  ImGui::GetWindowDrawList()->AddCircleFilled(ImVec2(at.x + size * 0.35f, at.y + size * 0.55f), size * 0.3f,
                                              ImGui::GetColorU32(colour));
  ImGui::SameLine();
}

void level_meter(const char* label, float level) {
  ImGui::TextUnformatted(label);
  ImGui::SameLine(ImGui::GetFontSize() * 6);
  const float clamped = std::clamp(level, 0.0f, 1.0f);
  ImGui::PushStyleColor(ImGuiCol_PlotHistogram, clamped > 0.9f ? theme::danger() : theme::good());
  ImGui::ProgressBar(clamped, ImVec2(-1, ImGui::GetFontSize() * 0.6f), "");
  ImGui::PopStyleColor();
}

void problem_text(const std::string& problem) {
  if (problem.empty()) return;
  ImGui::PushStyleColor(ImGuiCol_Text, theme::danger());
  ImGui::TextWrapped("%s", problem.c_str());
  ImGui::PopStyleColor();
}

void quiet_text(std::string_view text) {
  ImGui::PushStyleColor(ImGuiCol_Text, theme::quiet_text());
  ImGui::TextUnformatted(text.data(), text.data() + text.size());
  ImGui::PopStyleColor();
}

void heading(std::string_view text) {
  ImGui::Spacing();
  ImGui::PushStyleColor(ImGuiCol_Text, theme::accent());
  ImGui::TextUnformatted(text.data(), text.data() + text.size());
  ImGui::PopStyleColor();
  ImGui::Separator();
}

}  // namespace koe::ui::widgets
