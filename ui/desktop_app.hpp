// The desktop app: a node plus its window. Main (UI) thread only.
#pragma once

#include "app/profile.hpp"

namespace koe::ui {

// Runs until the window closes; returns the process exit status. Without a
// display, says so in one line (pointing to --headless) and returns 1.
int run_desktop_app(const Profile& profile);

}  // namespace koe::ui
