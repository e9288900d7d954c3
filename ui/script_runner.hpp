// ScriptRunner: plays a test script (ui_script.hpp) against the live frames: feeds
// mouse and typed text before each frame, checks what the ItemProbe saw after it,
// asks for screenshots, and bounds every wait by the script's timeout.
// UI thread only; frame order: before_frame, ImGui::NewFrame, probe.begin_frame,
// views, probe.end_frame, after_draw, render, screenshot_due/screenshot_taken.
#pragma once

#include <imgui.h>

#include <optional>
#include <string>
#include <vector>

#include "ui/item_probe.hpp"
#include "ui/ui_script.hpp"

namespace koe::ui {

class ScriptRunner {
 public:
  static constexpr double kDefaultTimeoutS = 10.0;
  // Frames drawn before a screenshot: new tables and windows size themselves to their
  // content over their first frames.
  static constexpr int kSettleFrames = 3;

  explicit ScriptRunner(std::vector<ScriptStep> steps) : steps_(std::move(steps)) {}

  void before_frame(ImGuiIO& io);
  // `now_s`: a monotonic clock in seconds.
  void after_draw(const ItemProbe& probe, double now_s);
  // The file this frame's pixels should be saved to, once rendered.
  std::optional<std::string> screenshot_due() const;
  // The result of that save: empty, or why it failed.
  void screenshot_taken(const std::string& error);

  // Reached "quit", or failed.
  bool finished() const { return finished_; }
  bool failed() const { return !failure_.empty(); }
  // "line N: expected text "X" not seen within 10 s; the window showed: ..."
  const std::string& failure() const { return failure_; }

 private:
  // A click is four frames: hover, press, release, then (typing only) the text.
  enum class Phase { kFind, kHover, kPress, kRelease, kType };

  const ScriptStep* step() const { return next_ < steps_.size() ? &steps_[next_] : nullptr; }
  void advance();
  void fail(const std::string& why, const ItemProbe& probe);
  void run_pointer_step(const ScriptStep& step, const ItemProbe& probe, double now_s);

  std::vector<ScriptStep> steps_;
  size_t next_ = 0;
  double timeout_s_ = kDefaultTimeoutS;
  std::optional<double> deadline_;  // of the current step
  Phase phase_ = Phase::kFind;
  int frames_in_step_ = 0;
  ImVec2 pointer_{-1.0f, -1.0f};
  std::optional<ImVec2> aim_;  // where the target was last frame
  bool finished_ = false;
  std::string failure_;
};

}  // namespace koe::ui
