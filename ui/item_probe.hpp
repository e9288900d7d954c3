// ItemProbe: what one frame drew, for the test script: every labelled widget's
// rectangle and whether it was enabled, and all the text drawn. Attached to an ImGui
// context (through io.UserData) only while a script runs. UI thread only.
#pragma once

#include <imgui.h>

#include <string>
#include <string_view>
#include <vector>

namespace koe::ui {

class ItemProbe {
 public:
  struct Item {
    std::string label;  // as shown ("Call##id" is "Call"; a hidden "##Status" is "Status")
    ImVec2 min, max;
    bool enabled = true;
  };

  // Attaches to the current ImGui context for later frames; detach() undoes it.
  void attach();
  void detach();
  // The probe attached to the current context, or null (the shipped path).
  static ItemProbe* current();

  // After ImGui::NewFrame: forgets the last frame and starts capturing text.
  void begin_frame();
  // Before ImGui::Render: stops capturing.
  void end_frame();
  // ImGui's End() of a top-level window (page, popup, combo, tooltip) ends its text
  // capture: keep what was captured before it, and capture again after it.
  void pause();
  void resume();
  // Right after a widget: records the last item under `label`.
  void note(std::string_view label, bool enabled);

  // The first enabled widget with this label, else the first with it; null if none.
  const Item* find(std::string_view label) const;
  bool shows_text(std::string_view text) const;
  const std::string& text() const { return text_; }

 private:
  std::vector<Item> items_;
  std::string text_;
};

}  // namespace koe::ui
