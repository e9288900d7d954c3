#include "app/profile_json_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

#include "app/atomic_file.hpp"

namespace koe {

namespace {

namespace fs = std::filesystem;

constexpr mode_t kPrivateFileMode = 0600;
constexpr int kMaxCorruptCopies = 9;

// Never replaces an earlier corrupt copy: RENAME_NOREPLACE, or link(2) + unlink(2)
// where the file system lacks that flag. errno is EEXIST when `to` exists.
bool move_without_replacing(const fs::path& from, const fs::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return true;
  if (errno != EINVAL && errno != ENOSYS) return false;
  if (::link(from.c_str(), to.c_str()) != 0) return false;
  ::unlink(from.c_str());
  return true;
}

}  // namespace

nlohmann::ordered_json new_json_document(std::string_view format, int version) {
  nlohmann::ordered_json document = nlohmann::ordered_json::object();
  document["format"] = format;
  document["version"] = version;
  return document;
}

Expected<nlohmann::json, ParseProblem> parse_json_document(std::string_view text, std::string_view format,
                                                           int version) {
  nlohmann::json document = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return Failure{ParseProblem{"is not valid JSON"}};
  if (!document.is_object()) return Failure{ParseProblem{"should hold a JSON object ({...})"}};
  const auto found_format = document.find("format");
  if (found_format == document.end() || !found_format->is_string() ||
      found_format->get_ref<const std::string&>() != format) {
    return Failure{ParseProblem{"is not a " + std::string(format) + " document (\"format\" should be \"" +
                                std::string(format) + "\")"}};
  }
  const auto found_version = document.find("version");
  if (found_version == document.end() || !found_version->is_number_integer() || found_version->get<int64_t>() < 1) {
    return Failure{ParseProblem{"\"version\" should be a whole number from 1"}};
  }
  if (found_version->get<int64_t>() > version) {
    return Failure{ParseProblem{"was written by a newer Koe (format version " +
                                    std::to_string(found_version->get<int64_t>()) + "; this one reads up to " +
                                    std::to_string(version) + ")",
                                true}};
  }
  return document;
}

Expected<std::optional<std::string>, FileError> read_profile_text(const fs::path& path, size_t max_size) {
  auto contents = read_file(path, max_size);
  if (!contents) {
    if (contents.error().code == std::errc::no_such_file_or_directory) return std::optional<std::string>{};
    return Failure{contents.error()};
  }
  return std::optional<std::string>{std::string(contents->bytes.begin(), contents->bytes.end())};
}

std::optional<FileError> write_profile_text(const fs::path& path, std::string_view text) {
  return write_file_atomically(path, {reinterpret_cast<const uint8_t*>(text.data()), text.size()}, kPrivateFileMode);
}

Expected<fs::path, FileError> set_aside_corrupt_file(const fs::path& path) {
  for (int copy = 1; copy <= kMaxCorruptCopies; ++copy) {
    fs::path target = path;
    target += copy == 1 ? std::string(".corrupt") : ".corrupt-" + std::to_string(copy);
    if (move_without_replacing(path, target)) return target;
    if (errno != EEXIST) {
      return Failure{FileError{path, "cannot set the corrupt file aside", {errno, std::generic_category()}}};
    }
  }
  return Failure{FileError{path, "cannot set the corrupt file aside: " + std::to_string(kMaxCorruptCopies) +
                                     " corrupt copies exist already; remove them"}};
}

}  // namespace koe
