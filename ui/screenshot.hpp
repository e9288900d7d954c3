// Saves what the OpenGL back buffer holds as a PNG (glReadPixels + stb_image_write),
// for the test script's screenshots. UI thread, with the window's GL context current,
// after the frame is rendered and before it is swapped.
#pragma once

#include <string>

namespace koe::ui {

// Returns an empty string on success, else one line saying why not.
std::string save_screenshot_png(const std::string& path, int width, int height);

}  // namespace koe::ui
