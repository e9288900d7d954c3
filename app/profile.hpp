// Profile: the directory holding this user's identity key and settings, created on
// first run and never silently regenerated. Used from the app (main) thread; the
// Profile owns the Identity and Settings it loaded.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "app/file_error.hpp"
#include "app/settings.hpp"
#include "net/env.hpp"
#include "net/expected.hpp"
#include "net/identity.hpp"

namespace koe {

inline constexpr const char* kIdentityFileName = "identity.key";
inline constexpr const char* kSettingsFileName = "settings.json";

class Profile {
 public:
  // Opens the profile in `dir`, creating what is missing: the directory (mode 0700),
  // identity.key (a new identity from `random`, mode 0600) and settings.json (defaults,
  // random listen port). A file that exists but cannot be used is an error naming it,
  // and is left exactly as it was. Refuses an identity key readable by others.
  static Expected<Profile, FileError> open_or_create(const std::filesystem::path& dir, Random& random);

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path identity_path() const { return dir_ / kIdentityFileName; }
  std::filesystem::path settings_path() const { return dir_ / kSettingsFileName; }

  const Identity& identity() const { return identity_; }
  const Settings& settings() const { return settings_; }

  // Validates and writes settings.json atomically; the in-memory settings change only
  // on success. Invalid settings are refused, so the file always reopens.
  std::optional<FileError> save_settings(const Settings& settings);

 private:
  Profile(std::filesystem::path dir, Identity identity, Settings settings);

  std::filesystem::path dir_;
  Identity identity_;
  Settings settings_;
};

// $XDG_DATA_HOME/koe when that is set to an absolute path (XDG Base Directory spec),
// else $HOME/.local/share/koe. Null or empty arguments count as unset.
Expected<std::filesystem::path, std::string> default_profile_dir(const char* xdg_data_home, const char* home);
// The same, from this process's environment.
Expected<std::filesystem::path, std::string> default_profile_dir();

}  // namespace koe
