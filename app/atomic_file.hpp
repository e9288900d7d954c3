// Whole-file reads and crash-safe replacement (temp file + fsync + rename + directory
// fsync), for the profile's small files. Any thread; callers own their paths.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <optional>

#include "app/file_error.hpp"
#include "net/bytes.hpp"
#include "net/expected.hpp"

namespace koe {

enum class IfExists {
  kReplace,
  kFail,  // an existing file is left alone and the error code is EEXIST
};

// Writes `bytes` to `path` so that a crash or failure leaves either the old or the
// new content, never a mix, and no temp file. The temp file is created with `mode`
// (less the umask, as open(2)) so the content is never more exposed than that.
// Returns nullopt on success.
std::optional<FileError> write_file_atomically(const std::filesystem::path& path, ByteView bytes, mode_t mode,
                                               IfExists if_exists = IfExists::kReplace);

struct FileContents {
  Bytes bytes;
  mode_t permissions = 0;  // st_mode & 07777 of the file that was read
};

// Reads a regular file of at most `max_size` bytes (larger files are refused).
// Permissions come from the same open file, so the caller's checks see what was read.
Expected<FileContents, FileError> read_file(const std::filesystem::path& path, size_t max_size);

}  // namespace koe
