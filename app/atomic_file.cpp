#include "app/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <random>
#include <string>

namespace koe {

namespace {

std::error_code last_error() { return {errno, std::generic_category()}; }

// Closes on scope exit; close() errors matter only after writes, checked explicitly there.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Closes now and reports close(2)'s result (0 or -1 with errno set).
  int close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

std::filesystem::path directory_of(const std::filesystem::path& path) {
  const auto parent = path.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

bool write_all(int fd, ByteView bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

// Creates a fresh temp file beside `path` (O_EXCL: never reuses someone else's file).
std::optional<FileError> create_temp_file(const std::filesystem::path& path, mode_t mode,
                                          std::filesystem::path& temp_path, int& fd) {
  std::random_device random;
  constexpr int kAttempts = 16;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, ".tmp-%08x", static_cast<unsigned>(random()));
    temp_path = path;
    temp_path += suffix;
    fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd >= 0) return std::nullopt;
    if (errno != EEXIST) return FileError{path, "cannot create a temporary file beside it", last_error()};
  }
  return FileError{path, "cannot find a free temporary file name", std::make_error_code(std::errc::file_exists)};
}

// Writes the whole temp file and makes it durable; the caller removes it on failure.
// Errors name the target, the file the user knows about.
std::optional<FileError> fill_temp_file(const std::filesystem::path& path, FileDescriptor& fd, ByteView bytes) {
  if (!write_all(fd.get(), bytes)) return FileError{path, "cannot write the new content", last_error()};
  if (::fsync(fd.get()) != 0) return FileError{path, "cannot sync the new content to disk", last_error()};
  if (fd.close() != 0) return FileError{path, "cannot close the new content's file", last_error()};
  return std::nullopt;
}

// Moves the finished temp file to its name. kFail must not replace a file another
// process created meanwhile, so it uses RENAME_NOREPLACE, or link(2) where the file
// system lacks that flag.
bool move_into_place(const std::filesystem::path& temp_path, const std::filesystem::path& path, IfExists if_exists) {
  if (if_exists == IfExists::kReplace) return ::rename(temp_path.c_str(), path.c_str()) == 0;
  if (::renameat2(AT_FDCWD, temp_path.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) == 0) return true;
  if (errno != EINVAL && errno != ENOSYS) return false;
  if (::link(temp_path.c_str(), path.c_str()) != 0) return false;
  ::unlink(temp_path.c_str());
  return true;
}

// Makes the rename itself durable (POSIX leaves directory entries in the page cache).
std::optional<FileError> sync_directory(const std::filesystem::path& dir) {
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return FileError{dir, "cannot open directory to sync it", last_error()};
  if (::fsync(fd.get()) != 0) return FileError{dir, "cannot sync directory to disk", last_error()};
  return std::nullopt;
}

}  // namespace

std::optional<FileError> write_file_atomically(const std::filesystem::path& path, ByteView bytes, mode_t mode,
                                               IfExists if_exists) {
  std::filesystem::path temp_path;
  int raw_fd = -1;
  if (auto error = create_temp_file(path, mode, temp_path, raw_fd)) return error;
  FileDescriptor fd(raw_fd);

  auto error = fill_temp_file(path, fd, bytes);
  if (!error && !move_into_place(temp_path, path, if_exists)) {
    error = FileError{path, if_exists == IfExists::kFail ? "cannot create" : "cannot replace", last_error()};
  }
  if (error) {
    ::unlink(temp_path.c_str());
    return error;
  }
  return sync_directory(directory_of(path));
}

Expected<FileContents, FileError> read_file(const std::filesystem::path& path, size_t max_size) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd.valid()) return Failure{FileError{path, "cannot open", last_error()}};
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Failure{FileError{path, "cannot inspect", last_error()}};
  if (!S_ISREG(st.st_mode)) return Failure{FileError{path, "is not a regular file"}};
  if (static_cast<uint64_t>(st.st_size) > max_size) {
    return Failure{FileError{path, "is too large (" + std::to_string(st.st_size) + " bytes; at most " +
                                       std::to_string(max_size) + " expected)"}};
  }

  FileContents contents;
  contents.permissions = st.st_mode & 07777;
  // Room for one byte more than fstat saw, to notice a file that changed meanwhile.
  const auto expected_size = static_cast<size_t>(st.st_size);
  contents.bytes.resize(expected_size + 1);
  size_t done = 0;
  while (done < contents.bytes.size()) {
    const ssize_t n = ::read(fd.get(), contents.bytes.data() + done, contents.bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Failure{FileError{path, "cannot read", last_error()}};
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  if (done > expected_size) return Failure{FileError{path, "changed while being read"}};
  contents.bytes.resize(done);
  return contents;
}

}  // namespace koe
