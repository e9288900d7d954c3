// The profile's small JSON documents (contacts, host cache): a {"format", "version"}
// header, atomic writes private to the user (0600), and a document that cannot be parsed
// set aside beside it (kept, never overwritten) so the app can go on with an empty one.
// Any thread; callers own their paths.
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "app/file_error.hpp"
#include "net/expected.hpp"

namespace koe {

// Why a document's text was refused, without the file name.
struct ParseProblem {
  std::string message;
  // The document names a version this build does not know: an error, and the file is
  // left where it is (a newer Koe wrote it; setting it aside would lose it on downgrade).
  bool written_by_newer = false;
};

// {"format": format, "version": version} to which the caller adds its fields.
nlohmann::ordered_json new_json_document(std::string_view format, int version);
// Parses `text` and checks that it is an object with that format and a version from 1
// to `version`; returns the whole object.
Expected<nlohmann::json, ParseProblem> parse_json_document(std::string_view text, std::string_view format, int version);

// The file's text, or nullopt when it does not exist; at most `max_size` bytes.
Expected<std::optional<std::string>, FileError> read_profile_text(const std::filesystem::path& path, size_t max_size);
// Replaces `path` with `text` atomically, mode 0600.
std::optional<FileError> write_profile_text(const std::filesystem::path& path, std::string_view text);
// Renames `path` to the first free "<name>.corrupt", "<name>.corrupt-2", ... "-9" beside
// it and returns the new name.
Expected<std::filesystem::path, FileError> set_aside_corrupt_file(const std::filesystem::path& path);

template <class T>
struct LoadedProfileFile {
  T value{};
  // Set when a corrupt file was set aside and `value` is empty: one sentence naming both files.
  std::optional<std::string> warning;
};

// Loads `path` with `parse` (std::string_view -> Expected<T, ParseProblem>): a missing
// file gives an empty T; a corrupt one is set aside with a warning; a newer version's
// file or an I/O problem is an error and the file is left alone.
template <class T, class Parse>
Expected<LoadedProfileFile<T>, FileError> load_profile_file(const std::filesystem::path& path, size_t max_size,
                                                            Parse parse) {
  auto text = read_profile_text(path, max_size);
  if (!text) return Failure{text.error()};
  if (!*text) return LoadedProfileFile<T>{};
  Expected<T, ParseProblem> parsed = parse(std::string_view(**text));
  if (parsed) return LoadedProfileFile<T>{std::move(parsed).value(), std::nullopt};
  const ParseProblem& problem = parsed.error();
  if (problem.written_by_newer) return Failure{FileError{path, problem.message}};
  auto aside = set_aside_corrupt_file(path);
  if (!aside) return Failure{aside.error()};
  const FileError warning{path, problem.message + "; kept as " + aside->string() + ", starting empty"};
  return LoadedProfileFile<T>{T{}, warning.message()};
}

}  // namespace koe
