#include "ui/theme.hpp"

#include <utility>

namespace koe::ui::theme {

namespace {

ImVec4 rgb(int r, int g, int b, float a = 1.0f) { return ImVec4(r / 255.0f, g / 255.0f, b / 255.0f, a); }

const ImVec4 kBackground = rgb(30, 33, 39);
const ImVec4 kPanel = rgb(37, 41, 48);
const ImVec4 kFrame = rgb(48, 53, 62);
const ImVec4 kFrameHover = rgb(58, 64, 75);
const ImVec4 kText = rgb(222, 226, 232);
const ImVec4 kQuiet = rgb(140, 148, 160);
const ImVec4 kAccent = rgb(94, 150, 200);  // a soft blue
const ImVec4 kGood = rgb(96, 176, 120);
const ImVec4 kWarning = rgb(214, 170, 84);
const ImVec4 kDanger = rgb(204, 92, 92);

ImVec4 with_alpha(ImVec4 c, float a) { return ImVec4(c.x, c.y, c.z, a); }

}  // namespace

void apply(float scale) {
  ImGuiStyle style;
  ImGui::StyleColorsDark(&style);
  style.WindowPadding = ImVec2(14, 12);
  style.FramePadding = ImVec2(10, 6);
  style.ItemSpacing = ImVec2(10, 8);
  style.ItemInnerSpacing = ImVec2(8, 6);
  style.ScrollbarSize = 12;
  style.WindowRounding = 6;
  style.ChildRounding = 6;
  style.FrameRounding = 5;
  style.PopupRounding = 6;
  style.GrabRounding = 5;
  style.TabRounding = 5;
  style.WindowBorderSize = 0;
  style.FrameBorderSize = 0;

  const std::pair<ImGuiCol, ImVec4> palette[] = {
      {ImGuiCol_Text, kText},
      {ImGuiCol_TextDisabled, kQuiet},
      {ImGuiCol_WindowBg, kBackground},
      {ImGuiCol_ChildBg, kPanel},
      {ImGuiCol_PopupBg, kPanel},
      {ImGuiCol_FrameBg, kFrame},
      {ImGuiCol_FrameBgHovered, kFrameHover},
      {ImGuiCol_FrameBgActive, kFrameHover},
      {ImGuiCol_Button, kFrame},
      {ImGuiCol_ButtonHovered, kFrameHover},
      {ImGuiCol_ButtonActive, with_alpha(kAccent, 0.6f)},
      {ImGuiCol_Header, with_alpha(kAccent, 0.25f)},
      {ImGuiCol_HeaderHovered, with_alpha(kAccent, 0.35f)},
      {ImGuiCol_HeaderActive, with_alpha(kAccent, 0.45f)},
      {ImGuiCol_Tab, kPanel},
      {ImGuiCol_TabHovered, with_alpha(kAccent, 0.45f)},
      {ImGuiCol_TabActive, with_alpha(kAccent, 0.35f)},
      {ImGuiCol_CheckMark, kAccent},
      {ImGuiCol_SliderGrab, kAccent},
      {ImGuiCol_SliderGrabActive, kAccent},
      {ImGuiCol_PlotLines, kAccent},
      {ImGuiCol_PlotHistogram, kGood},
      {ImGuiCol_Separator, kFrame},
      {ImGuiCol_TitleBg, kPanel},
      {ImGuiCol_TitleBgActive, kPanel},
      {ImGuiCol_ModalWindowDimBg, rgb(0, 0, 0, 0.45f)},
  };
  for (const auto& [slot, colour] : palette) style.Colors[slot] = colour;
  style.ScaleAllSizes(scale);
  ImGui::GetStyle() = style;
}

ImVec4 accent() { return kAccent; }
ImVec4 good() { return kGood; }
ImVec4 warning() { return kWarning; }
ImVec4 danger() { return kDanger; }
ImVec4 quiet_text() { return kQuiet; }

ImVec4 presence(PresenceState state) {
  switch (state) {
    case PresenceState::kOnline:
      return kGood;
    case PresenceState::kAway:
      return kWarning;
    case PresenceState::kDoNotDisturb:
      return kDanger;
    case PresenceState::kOffline:
      return kQuiet;
  }
  return kQuiet;
}

ImVec4 network(NetworkState state) {
  switch (state) {
    case NetworkState::kOnline:
      return kGood;
    case NetworkState::kStarting:
    case NetworkState::kListening:
    case NetworkState::kConnecting:
      return kWarning;
    case NetworkState::kOffline:
    case NetworkState::kFailed:
    case NetworkState::kStopped:
      return kDanger;
  }
  return kQuiet;
}

}  // namespace koe::ui::theme
