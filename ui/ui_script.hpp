// The desktop app's test script (KOE_UI_SCRIPT names the file; never used otherwise):
// a list of steps the app runs in-frame, one per line:
//   timeout SECONDS        how long each later step may wait (default 10)
//   expect "TEXT"          wait until TEXT is drawn somewhere in the window
//   expect_gone "TEXT"     wait until TEXT is no longer drawn
//   click "LABEL"          wait for the enabled widget with this label, then click it
//   type "LABEL" "TEXT"    click the text field with this label, then type TEXT
//   screenshot "FILE"      save the window as a PNG
//   quit                   close the app (exit status 0)
// Arguments are double-quoted (\" and \\ escape) or single bare words; # starts a
// comment. Pure parsing; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "net/expected.hpp"

namespace koe::ui {

struct ScriptStep {
  enum class Kind { kTimeout, kExpect, kExpectGone, kClick, kType, kScreenshot, kQuit };
  Kind kind = Kind::kQuit;
  std::string target;   // text, label or file
  std::string text;     // kType: what to type
  double seconds = 0;   // kTimeout
  size_t line = 0;      // 1-based, for messages
  friend bool operator==(const ScriptStep&, const ScriptStep&) = default;
};

// The steps, or "line N: <what is wrong>".
Expected<std::vector<ScriptStep>, std::string> parse_ui_script(std::string_view text);

}  // namespace koe::ui
