#include "ui/script_runner.hpp"

#include <cstdio>

namespace koe::ui {

namespace {

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", seconds);
  return text;
}

}  // namespace

void ScriptRunner::before_frame(ImGuiIO& io) {
  // The script owns the pointer for the whole run, so a stray host cursor never hovers.
  io.MousePos = pointer_;
  io.MouseDown[0] = phase_ == Phase::kPress;
  if (const ScriptStep* s = step(); s && phase_ == Phase::kType) io.AddInputCharactersUTF8(s->text.c_str());
}

void ScriptRunner::after_draw(const ItemProbe& probe, double now_s) {
  const ScriptStep* s = step();
  if (finished_ || s == nullptr) {
    finished_ = true;
    return;
  }
  if (!deadline_) deadline_ = now_s + timeout_s_;
  ++frames_in_step_;
  const bool late = now_s > *deadline_;
  const std::string seconds = seconds_text(timeout_s_);
  switch (s->kind) {
    case ScriptStep::Kind::kTimeout:
      timeout_s_ = s->seconds;
      return advance();
    case ScriptStep::Kind::kExpect:
      if (probe.shows_text(s->target)) return advance();
      if (late) fail("expected text " + quoted(s->target) + " not seen within " + seconds, probe);
      return;
    case ScriptStep::Kind::kExpectGone:
      if (!probe.shows_text(s->target)) return advance();
      if (late) fail("text " + quoted(s->target) + " still shown after " + seconds, probe);
      return;
    case ScriptStep::Kind::kClick:
    case ScriptStep::Kind::kType:
      return run_pointer_step(*s, probe, now_s);
    case ScriptStep::Kind::kScreenshot:
      return;  // screenshot_taken advances
    case ScriptStep::Kind::kQuit:
      finished_ = true;
      return;
  }
}

void ScriptRunner::run_pointer_step(const ScriptStep& s, const ItemProbe& probe, double now_s) {
  switch (phase_) {
    case Phase::kFind: {
      const ItemProbe::Item* item = probe.find(s.target);
      if (item != nullptr && item->enabled) {
        // Aim only once the widget stayed put for a frame: new tabs and tables move
        // their items while they lay themselves out.
        const ImVec2 centre((item->min.x + item->max.x) * 0.5f, (item->min.y + item->max.y) * 0.5f);
        if (aim_ && aim_->x == centre.x && aim_->y == centre.y) {
          pointer_ = centre;
          phase_ = Phase::kHover;
        }
        aim_ = centre;
      } else if (now_s > *deadline_) {
        fail((item ? "widget " + quoted(s.target) + " stayed disabled" : "no widget labelled " + quoted(s.target)) +
                 " for " + seconds_text(timeout_s_),
             probe);
      }
      return;
    }
    case Phase::kHover:
      phase_ = Phase::kPress;
      return;
    case Phase::kPress:
      phase_ = Phase::kRelease;
      return;
    case Phase::kRelease:
      if (s.kind == ScriptStep::Kind::kType) {
        phase_ = Phase::kType;
        return;
      }
      return advance();
    case Phase::kType:
      return advance();
  }
}

std::optional<std::string> ScriptRunner::screenshot_due() const {
  const ScriptStep* s = step();
  if (finished_ || s == nullptr || s->kind != ScriptStep::Kind::kScreenshot || frames_in_step_ < kSettleFrames)
    return std::nullopt;
  return s->target;
}

void ScriptRunner::screenshot_taken(const std::string& error) {
  if (!error.empty()) {
    failure_ = "line " + std::to_string(step()->line) + ": screenshot: " + error;
    finished_ = true;
    return;
  }
  advance();
}

void ScriptRunner::advance() {
  ++next_;
  deadline_.reset();
  phase_ = Phase::kFind;
  frames_in_step_ = 0;
  aim_.reset();
}

void ScriptRunner::fail(const std::string& why, const ItemProbe& probe) {
  constexpr size_t kShown = 600;
  std::string shown = probe.text().substr(0, kShown);
  for (char& c : shown)
    if (c == '\n') c = '|';
  failure_ = "line " + std::to_string(step()->line) + ": " + why + "; the window showed: " + shown;
  finished_ = true;
}

}  // namespace koe::ui
