// The UI font: Noto Sans CJK (Latin and Japanese in one face, Debian's fonts-noto-cjk)
// when installed, else Dear ImGui's built-in font (Latin only; Japanese names show as
// '?'). Sized for the window's content scale. UI thread, before the first frame.
#pragma once

#include <string>

namespace koe::ui {

// Loads and builds the font atlas; returns one line saying which font is used.
std::string load_fonts(float scale);

}  // namespace koe::ui
