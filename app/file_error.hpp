// FileError: what went wrong with which file, for messages like
// "/home/a/.local/share/koe/identity.key: ...". Plain value type; any thread.
#pragma once

#include <filesystem>
#include <string>
#include <system_error>

namespace koe {

struct FileError {
  std::filesystem::path path;
  std::string problem;        // what we were doing or found, e.g. "is not a regular file"
  std::error_code code = {};  // the system's reason, when there is one

  std::string message() const {
    std::string text = path.string() + ": " + problem;
    if (code) text += ": " + code.message();
    return text;
  }
};

}  // namespace koe
