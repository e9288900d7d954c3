// The desktop app: the window, the node (NodeHost), the first-run and main views, and
// the settings it saves. Main (UI) thread only; borrows the profile for its lifetime.
#pragma once

#include "app/profile.hpp"

namespace koe::ui {

// Runs until the window closes; returns the process exit status. Without a display,
// says so in one line (pointing to --headless) and returns 1. When KOE_UI_SCRIPT
// names a test script (ui_script.hpp), runs it and exits 0 at its "quit", 1 with the
// reason on stderr if a step fails.
int run_desktop_app(Profile& profile);

}  // namespace koe::ui
