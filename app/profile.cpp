#include "app/profile.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "app/atomic_file.hpp"
#include "app/identity_file.hpp"

namespace koe {

namespace {

namespace fs = std::filesystem;

constexpr mode_t kDirectoryMode = 0700;
constexpr mode_t kPrivateFileMode = 0600;
constexpr mode_t kGroupAndOtherBits = 0077;
constexpr size_t kMaxIdentityFileSize = 4096;
constexpr size_t kMaxSettingsFileSize = 1 << 20;

std::error_code last_error() { return {errno, std::generic_category()}; }

// True when `path` exists (as anything, even a dangling symlink); errors other than
// "not found" are reported, so an unreadable profile is never mistaken for a new one.
Expected<bool, FileError> path_exists(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT) return false;
  return Failure{FileError{path, "cannot inspect", last_error()}};
}

std::optional<FileError> ensure_directory(const fs::path& dir) {
  auto exists = path_exists(dir);
  if (!exists.has_value()) return exists.error();
  if (!*exists) {
    std::error_code ec;
    if (dir.has_parent_path() && !fs::exists(dir.parent_path(), ec)) {
      fs::create_directories(dir.parent_path(), ec);
      if (ec) return FileError{dir.parent_path(), "cannot create directory", ec};
    }
    if (::mkdir(dir.c_str(), kDirectoryMode) != 0 && errno != EEXIST) {
      return FileError{dir, "cannot create directory", last_error()};
    }
  }
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return FileError{dir, "is not a directory", ec};
  return std::nullopt;
}

std::string octal_permissions(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

Expected<Identity, FileError> load_identity(const fs::path& path) {
  auto contents = read_file(path, kMaxIdentityFileSize);
  if (!contents) return Failure{contents.error()};
  Bytes& text = contents->bytes;
  // Like ssh: a key others can read may already be someone else's key.
  if ((contents->permissions & kGroupAndOtherBits) != 0) {
    sodium_memzero(text.data(), text.size());
    return Failure{FileError{path, "permissions " + octal_permissions(contents->permissions) +
                                       " are too open: the identity key must be private to you "
                                       "(fix with: chmod 600 " + path.string() + ")"}};
  }
  auto identity = parse_identity_file(text);
  sodium_memzero(text.data(), text.size());
  if (!identity) return Failure{FileError{path, identity.error()}};
  return std::move(identity).value();
}

Expected<Identity, FileError> load_or_create_identity(const fs::path& path, Random& random) {
  auto exists = path_exists(path);
  if (!exists.has_value()) return Failure{exists.error()};
  if (!*exists) {
    Identity identity = Identity::generate(random);
    Bytes text = encode_identity_file(identity);
    // kFail: if another koe process created the key meanwhile, use that one instead.
    auto error = write_file_atomically(path, text, kPrivateFileMode, IfExists::kFail);
    sodium_memzero(text.data(), text.size());
    if (!error) return identity;
    if (error->code != std::errc::file_exists) return Failure{*error};
  }
  return load_identity(path);
}

std::optional<FileError> write_settings(const fs::path& path, const Settings& settings) {
  const std::string text = encode_settings(settings);
  return write_file_atomically(path, {reinterpret_cast<const uint8_t*>(text.data()), text.size()},
                               kPrivateFileMode);
}

Expected<Settings, FileError> load_or_create_settings(const fs::path& path, Random& random) {
  const Settings defaults = default_settings(random);
  auto exists = path_exists(path);
  if (!exists.has_value()) return Failure{exists.error()};
  if (!*exists) {
    if (auto error = write_settings(path, defaults)) return Failure{*error};
    return defaults;
  }

  auto contents = read_file(path, kMaxSettingsFileSize);
  if (!contents) return Failure{contents.error()};
  const std::string_view text(reinterpret_cast<const char*>(contents->bytes.data()), contents->bytes.size());
  auto parsed = parse_settings(text, defaults);
  if (!parsed) return Failure{FileError{path, parsed.error()}};
  // Write a missing field's default back, so that a random listen port is remembered.
  if (parsed->used_defaults) {
    if (auto error = write_settings(path, parsed->settings)) return Failure{*error};
  }
  return std::move(parsed->settings);
}

// "DIR/" and "DIR" name the same profile; without the slash, DIR's parent is DIR's parent.
fs::path without_trailing_separator(fs::path dir) {
  dir = dir.lexically_normal();
  if (!dir.has_filename() && dir.has_relative_path()) dir = dir.parent_path();
  return dir;
}

}  // namespace

Profile::Profile(fs::path dir, Identity identity, Settings settings)
    : dir_(std::move(dir)), identity_(std::move(identity)), settings_(std::move(settings)) {}

Expected<Profile, FileError> Profile::open_or_create(const fs::path& dir_argument, Random& random) {
  const fs::path dir = without_trailing_separator(dir_argument);
  if (auto error = ensure_directory(dir)) return Failure{*error};
  auto identity = load_or_create_identity(dir / kIdentityFileName, random);
  if (!identity) return Failure{identity.error()};
  auto settings = load_or_create_settings(dir / kSettingsFileName, random);
  if (!settings) return Failure{settings.error()};
  return Profile(dir, std::move(identity).value(), std::move(settings).value());
}

std::optional<FileError> Profile::save_settings(const Settings& settings) {
  if (auto problem = validate_settings(settings)) return FileError{settings_path(), "not saved: " + *problem};
  if (auto error = write_settings(settings_path(), settings)) return error;
  settings_ = settings;
  return std::nullopt;
}

Expected<fs::path, std::string> default_profile_dir(const char* xdg_data_home, const char* home) {
  // The XDG spec says relative values are invalid and must be ignored.
  if (xdg_data_home != nullptr && *xdg_data_home != '\0' && fs::path(xdg_data_home).is_absolute()) {
    return fs::path(xdg_data_home) / "koe";
  }
  if (home != nullptr && *home != '\0') return fs::path(home) / ".local" / "share" / "koe";
  return Failure{std::string("cannot choose a profile directory: neither XDG_DATA_HOME nor HOME is set")};
}

Expected<fs::path, std::string> default_profile_dir() {
  return default_profile_dir(std::getenv("XDG_DATA_HOME"), std::getenv("HOME"));
}

}  // namespace koe
