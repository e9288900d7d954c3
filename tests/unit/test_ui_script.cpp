// The desktop app's test script: parsing, and errors that name the line.
#include <gtest/gtest.h>

#include "ui/ui_script.hpp"

namespace koe::ui {
namespace {

using Kind = ScriptStep::Kind;

TEST(UiScript, ParsesEveryStep) {
  const auto steps = parse_ui_script(
      "# first run\n"
      "timeout 2.5\n"
      "expect \"Welcome to Koe\"\n"
      "type \"Display name\" \"Ali \\\"A\\\" ce\"  # trailing comment\n"
      "\n"
      "click Continue\n"
      "expect_gone Saving...\n"
      "screenshot \"/tmp/a b.png\"\n"
      "quit\n");
  ASSERT_TRUE(steps) << steps.error();
  ASSERT_EQ(steps->size(), 7u);
  EXPECT_EQ((*steps)[0].kind, Kind::kTimeout);
  EXPECT_DOUBLE_EQ((*steps)[0].seconds, 2.5);
  EXPECT_EQ((*steps)[1].target, "Welcome to Koe");
  EXPECT_EQ((*steps)[2].kind, Kind::kType);
  EXPECT_EQ((*steps)[2].target, "Display name");
  EXPECT_EQ((*steps)[2].text, "Ali \"A\" ce");
  EXPECT_EQ((*steps)[3].target, "Continue");
  EXPECT_EQ((*steps)[3].line, 6u);
  EXPECT_EQ((*steps)[4].kind, Kind::kExpectGone);
  EXPECT_EQ((*steps)[5].target, "/tmp/a b.png");
  EXPECT_EQ((*steps)[6].kind, Kind::kQuit);
}

TEST(UiScript, ErrorsNameTheLine) {
  EXPECT_EQ(parse_ui_script("quit\nclik Go\n").error(), "line 2: unknown step 'clik'");
  EXPECT_EQ(parse_ui_script("type \"only one\"").error(), "line 1: 'type' takes 2 argument(s)");
  EXPECT_EQ(parse_ui_script("expect \"open").error(), "line 1: unterminated quote");
  EXPECT_EQ(parse_ui_script("timeout -1").error(), "line 1: timeout needs a positive number of seconds");
  EXPECT_EQ(parse_ui_script("timeout 1x").error(), "line 1: timeout needs a positive number of seconds");
  EXPECT_EQ(parse_ui_script("click \"\"").error(), "line 1: empty argument");
}

}  // namespace
}  // namespace koe::ui
