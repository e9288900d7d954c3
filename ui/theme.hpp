// The app's calm look: a muted dark palette with one accent, rounded frames, roomy
// spacing, scaled for HiDPI; and the few colours views use for meaning (presence,
// good, danger). UI thread (needs the current ImGui context).
#pragma once

#include <imgui.h>

#include "app/app_snapshot.hpp"

namespace koe::ui::theme {

// Sets ImGui's style for `scale` (the window's content scale).
void apply(float scale);

ImVec4 accent();
ImVec4 good();
ImVec4 warning();
ImVec4 danger();
ImVec4 quiet_text();
ImVec4 presence(PresenceState state);
ImVec4 network(NetworkState state);

}  // namespace koe::ui::theme
