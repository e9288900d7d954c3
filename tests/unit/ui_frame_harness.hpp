// UiHarness: a Dear ImGui context without a window or OpenGL, for testing views: draws
// frames of a fixed size at a fake 60 fps and clicks or types through the app's own
// ScriptRunner and ItemProbe. One per test; UI-thread style (the test's thread).
#pragma once

#include <imgui.h>

#include <string>
#include <utility>
#include <vector>

#include "ui/item_probe.hpp"
#include "ui/script_runner.hpp"

namespace koe::ui::test {

class UiHarness {
 public:
  static constexpr int kMaxFramesPerStep = 120;

  UiHarness() : context_(ImGui::CreateContext()) {
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(960, 680);
    io.DeltaTime = 1.0f / 60.0f;
    unsigned char* pixels = nullptr;
    int width = 0, height = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &width, &height);  // builds the atlas
    probe_.attach();
  }
  ~UiHarness() {
    probe_.detach();
    ImGui::DestroyContext(context_);
  }
  UiHarness(const UiHarness&) = delete;
  UiHarness& operator=(const UiHarness&) = delete;

  // One frame of `draw`.
  template <typename Draw>
  void frame(Draw&& draw) {
    if (runner_) runner_->before_frame(ImGui::GetIO());
    ImGui::NewFrame();
    probe_.begin_frame();
    draw();
    probe_.end_frame();
    now_s_ += 1.0 / 60.0;
    if (runner_) runner_->after_draw(probe_, now_s_);
    ImGui::Render();
  }

  // Plays script steps against frames of `draw`; returns "" or the failure.
  template <typename Draw>
  std::string run(const std::string& script, Draw&& draw) {
    auto steps = parse_ui_script(script + "\nquit\n");
    if (!steps) return steps.error();
    runner_.emplace(std::move(*steps));
    for (int i = 0; i < kMaxFramesPerStep * 10 && !runner_->finished(); ++i) frame(draw);
    std::string result = runner_->finished() ? runner_->failure() : "script did not finish";
    runner_.reset();
    return result;
  }

  const ItemProbe& probe() const { return probe_; }
  bool shows(const std::string& text) const { return probe_.shows_text(text); }

 private:
  ImGuiContext* context_;
  ItemProbe probe_;
  std::optional<ScriptRunner> runner_;
  double now_s_ = 0;
};

}  // namespace koe::ui::test
