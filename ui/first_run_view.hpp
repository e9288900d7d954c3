// FirstRunView: a new profile's first screen: choose the display name others see, and
// meet the new ID (with a copy button). UI thread only; holds view-local state.
#pragma once

#include <optional>
#include <string>

namespace koe::ui {

class FirstRunView {
 public:
  // Returns the chosen name (trimmed) on the frame "Continue" is clicked with a valid
  // one. While `saving`, the button waits; `save_error` explains a failed save.
  std::optional<std::string> draw(const std::string& user_id, bool saving, const std::string& save_error);

 private:
  std::string name_;
  bool copied_ = false;
};

}  // namespace koe::ui
