// The app's widgets: thin wrappers over ImGui that give every view the same look
// (toned buttons, labelled fields with their problem shown inline, presence dots,
// level meters) and tell the test script's ItemProbe where each one is.
// UI thread only, between ImGui::NewFrame and ImGui::Render.
#pragma once

#include <imgui.h>

#include <string>
#include <string_view>

#include "app/app_snapshot.hpp"

namespace koe::ui::widgets {

enum class Tone { kNormal, kPrimary, kGood, kDanger };

// A borderless window filling the main viewport (the app's pages); end_page() closes it.
void begin_page(const char* id);
void end_page();
// ImGui::EndPopup / EndCombo, keeping the test probe's text capture going (ImGui's
// End() of a top-level window stops it).
void end_popup();
void end_combo();
// A tooltip with `text` while the last item is hovered.
void tooltip(const std::string& text);

// True on the frame it was clicked; a disabled button is drawn dimmed and never fires.
bool button(const char* label, Tone tone = Tone::kNormal, bool enabled = true, ImVec2 size = ImVec2(0, 0));
// A caption above a full-width text field; `problem`, when not empty, is shown below it.
bool text_field(const char* label, std::string& value, const char* hint = "", const std::string& problem = "",
                ImGuiInputTextFlags flags = 0);
bool multiline_field(const char* label, std::string& value, float lines, const std::string& problem = "");
bool checkbox(const char* label, bool& value);
bool selectable(const char* label, bool selected);
// A tab of the main tab bar; true while it is the open tab (then call ImGui::EndTabItem).
bool tab(const char* label, ImGuiTabItemFlags flags = 0);
// A combo box choosing `index` among `count` labels.
bool combo(const char* label, int& index, const char* const* labels, int count);
// 0..2 gain slider; true while it changed this frame.
bool volume_slider(const char* label, float& gain);

// A small filled circle in the presence colour, on the current line.
void presence_dot(PresenceState state);
void coloured_dot(ImVec4 colour);
// A labelled horizontal meter, 0..1.
void level_meter(const char* label, float level);
// Wrapped text in the danger colour, if `problem` is not empty.
void problem_text(const std::string& problem);
void quiet_text(std::string_view text);
// A section heading in the accent colour.
void heading(std::string_view text);

}  // namespace koe::ui::widgets
