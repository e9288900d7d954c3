#include "ui/ui_script.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

namespace koe::ui {

namespace {

// Splits a line into bare words and double-quoted strings, up to a # comment.
Expected<std::vector<std::string>, std::string> split_words(std::string_view line) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '#') {
      break;
    } else if (c == '"') {
      std::string word;
      for (++i;; ++i) {
        if (i >= line.size()) return Failure{std::string("unterminated quote")};
        if (line[i] == '"') break;
        if (line[i] == '\\' && i + 1 < line.size()) ++i;
        word += line[i];
      }
      ++i;
      words.push_back(std::move(word));
    } else {
      const size_t end = line.find_first_of(" \t\r#", i);
      words.emplace_back(line.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i));
      i = end == std::string_view::npos ? line.size() : end;
    }
  }
  return words;
}

struct Verb {
  std::string_view name;
  ScriptStep::Kind kind;
  size_t arguments;
};

constexpr Verb kVerbs[] = {
    {"timeout", ScriptStep::Kind::kTimeout, 1},    {"expect", ScriptStep::Kind::kExpect, 1},
    {"expect_gone", ScriptStep::Kind::kExpectGone, 1}, {"click", ScriptStep::Kind::kClick, 1},
    {"type", ScriptStep::Kind::kType, 2},          {"screenshot", ScriptStep::Kind::kScreenshot, 1},
    {"quit", ScriptStep::Kind::kQuit, 0},
};

}  // namespace

Expected<std::vector<ScriptStep>, std::string> parse_ui_script(std::string_view text) {
  std::vector<ScriptStep> steps;
  size_t number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    ++number;
    const std::string where = "line " + std::to_string(number) + ": ";
    auto words = split_words(line);
    if (!words) return Failure{where + words.error()};
    if (words->empty()) continue;
    const Verb* verb = nullptr;
    for (const Verb& v : kVerbs)
      if (v.name == (*words)[0]) verb = &v;
    if (verb == nullptr) return Failure{where + "unknown step '" + (*words)[0] + "'"};
    if (words->size() != verb->arguments + 1)
      return Failure{where + "'" + std::string(verb->name) + "' takes " + std::to_string(verb->arguments) + " argument(s)"};
    ScriptStep step;
    step.kind = verb->kind;
    step.line = number;
    if (verb->arguments >= 1) step.target = (*words)[1];
    if (verb->arguments >= 2) step.text = (*words)[2];
    if (step.kind == ScriptStep::Kind::kTimeout) {
      const std::string& value = step.target;
      const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), step.seconds);
      if (ec != std::errc{} || ptr != value.data() + value.size() || !std::isfinite(step.seconds) || step.seconds <= 0)
        return Failure{where + "timeout needs a positive number of seconds"};
    } else if (step.target.empty() && verb->arguments >= 1) {
      return Failure{where + "empty argument"};
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

}  // namespace koe::ui
