// Profile: first-run creation, reopening, and that every corrupt, unreadable or
// too-open file is an error naming it and is left untouched (never regenerated).
#include "app/profile.hpp"

#include <gtest/gtest.h>

#include "tests/support/unprivileged_scope.hpp"
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include "app/identity_file.hpp"
#include "net/random.hpp"
#include "net/udp_host.hpp"

namespace koe {
namespace {

namespace fs = std::filesystem;

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_raw(const fs::path& p, std::string_view content, mode_t mode = 0600) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
  ASSERT_EQ(::chmod(p.c_str(), mode), 0);
}

mode_t permissions_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

std::string valid_key_file_text(uint64_t seed) {
  SeededRandom random(seed);
  const Bytes text = encode_identity_file(Identity::generate(random));
  return std::string(text.begin(), text.end());
}

class ProfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "koe-profile-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    dir_ = root_ / "koe";
    old_umask_ = ::umask(022);
  }
  void TearDown() override {
    ::umask(old_umask_);
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  Expected<Profile, FileError> open() { return Profile::open_or_create(dir_, random_); }

  // Writes `content` as identity.key in a fresh profile dir, opens the profile and
  // checks the open fails naming the key file, leaving its bytes and mode untouched.
  void expect_key_rejected(std::string_view content, mode_t mode, std::string_view reason_fragment) {
    SCOPED_TRACE(testing::Message() << "identity.key = \"" << content << "\"");
    fs::create_directories(dir_);
    const fs::path key = dir_ / kIdentityFileName;
    write_raw(key, content, mode);
    auto profile = open();
    ASSERT_FALSE(profile);
    EXPECT_EQ(profile.error().path, key);
    EXPECT_NE(profile.error().message().find(key.string()), std::string::npos) << profile.error().message();
    EXPECT_NE(profile.error().message().find(reason_fragment), std::string::npos) << profile.error().message();
    EXPECT_EQ(read_all(key), content);
    EXPECT_EQ(permissions_of(key), mode);
    EXPECT_FALSE(fs::exists(dir_ / kSettingsFileName));  // stopped at the key
    fs::remove_all(dir_);
  }

  SeededRandom random_{42};
  fs::path root_, dir_;
  mode_t old_umask_ = 0;
};

TEST_F(ProfileTest, FirstRunCreatesPrivateDirectoryKeyAndSettings) {
  auto profile = open();
  ASSERT_TRUE(profile) << profile.error().message();
  EXPECT_EQ(permissions_of(dir_), 0700u);
  EXPECT_EQ(permissions_of(dir_ / "identity.key"), 0600u);
  EXPECT_EQ(permissions_of(dir_ / "settings.json"), 0600u);
  EXPECT_EQ(profile->identity_path(), dir_ / "identity.key");
  EXPECT_GE(profile->settings().listen_port, kMinListenPort);
  EXPECT_EQ(profile->settings().supernode_mode, SupernodeMode::kAuto);
  EXPECT_EQ(profile->identity().node_id(), node_id_from_public_key(profile->identity().public_key()));

  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"identity.key", "settings.json"}));
}

TEST_F(ProfileTest, ReopeningGivesTheSameIdentityAndPort) {
  auto first = open();
  ASSERT_TRUE(first);
  const std::string key_bytes = read_all(dir_ / kIdentityFileName);

  SeededRandom other_random(99);  // a different random source must not matter now
  auto second = Profile::open_or_create(dir_, other_random);
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_EQ(second->identity().node_id(), first->identity().node_id());
  EXPECT_EQ(second->identity().public_key(), first->identity().public_key());
  EXPECT_EQ(second->settings().listen_port, first->settings().listen_port);
  EXPECT_EQ(read_all(dir_ / kIdentityFileName), key_bytes);
}

TEST_F(ProfileTest, CreatesMissingParentsAndAcceptsATrailingSlash) {
  dir_ = root_ / "a" / "b" / "koe";
  auto profile = Profile::open_or_create(dir_.string() + "/", random_);
  ASSERT_TRUE(profile) << profile.error().message();
  EXPECT_EQ(permissions_of(dir_), 0700u);
  EXPECT_EQ(profile->dir(), dir_);
}

TEST_F(ProfileTest, CorruptKeyFilesAreErrorsNamingTheFileAndLeftUntouched) {
  const std::string valid = valid_key_file_text(5);
  const std::string other = valid_key_file_text(6);
  const size_t public_line = valid.find("public-key ");
  ASSERT_NE(public_line, std::string::npos);

  expect_key_rejected("", 0600, "is empty");
  expect_key_rejected(valid.substr(0, valid.size() - 10), 0600, "truncated");
  expect_key_rejected(valid.substr(0, public_line), 0600, "truncated");
  expect_key_rejected(valid.substr(0, 20), 0600, "truncated");
  expect_key_rejected("\x89PNG garbage \x01\x02\x03\n\n\n", 0600, "not a Koe identity file");
  expect_key_rejected("ssh-ed25519 AAAA" + valid.substr(15), 0600, "not a Koe identity file");
  expect_key_rejected("koe-identity v2" + valid.substr(15), 0600, "version");
  expect_key_rejected(valid + "extra\n", 0600, "unexpected data");
  // A valid file from another identity with its public key line swapped in.
  expect_key_rejected(valid.substr(0, public_line) + other.substr(other.find("public-key ")), 0600,
                      "does not match");
  std::string bad_hex = valid;
  bad_hex[valid.find("secret-seed ") + 20] = 'g';
  expect_key_rejected(bad_hex, 0600, "line 2");
  std::string flipped = valid;
  char& digit = flipped[valid.find("secret-seed ") + 12];
  digit = digit == '0' ? '1' : '0';
  expect_key_rejected(flipped, 0600, "does not match");
}

TEST_F(ProfileTest, KeyReadableByOthersIsRefusedWithTheFix) {
  const std::string valid = valid_key_file_text(7);
  for (mode_t mode : {0644, 0640, 0604, 0660, 0666, 0602}) {
    SCOPED_TRACE(mode);
    expect_key_rejected(valid, mode, "chmod 600");
  }
  // The same file with mode 0600 (or stricter) opens.
  fs::create_directories(dir_);
  write_raw(dir_ / kIdentityFileName, valid, 0400);
  auto profile = open();
  ASSERT_TRUE(profile) << profile.error().message();
}

TEST_F(ProfileTest, KeyPathThatIsADirectoryIsAnErrorNotReplaced) {
  const fs::path key = dir_ / kIdentityFileName;
  fs::create_directories(key);
  auto profile = open();
  ASSERT_FALSE(profile);
  EXPECT_EQ(profile.error().path, key);
  EXPECT_NE(profile.error().message().find("not a regular file"), std::string::npos);
  EXPECT_TRUE(fs::is_directory(key));
}

TEST_F(ProfileTest, DanglingKeySymlinkIsAnErrorNotANewIdentity) {
  fs::create_directories(dir_);
  const fs::path key = dir_ / kIdentityFileName;
  fs::create_symlink(root_ / "elsewhere.key", key);
  auto profile = open();
  ASSERT_FALSE(profile);
  EXPECT_EQ(profile.error().path, key);
  EXPECT_TRUE(fs::is_symlink(key));
  EXPECT_FALSE(fs::exists(root_ / "elsewhere.key"));
}

TEST_F(ProfileTest, UnreadableKeyIsAnError) {
  fs::create_directories(dir_);
  const fs::path key = dir_ / kIdentityFileName;
  write_raw(key, valid_key_file_text(8), 0000);
  const test::UnprivilegedScope nobody({root_, dir_, key});  // root would read a mode-000 file
  ASSERT_TRUE(nobody.ok());
  auto profile = open();
  ASSERT_FALSE(profile);
  EXPECT_EQ(profile.error().path, key);
  EXPECT_EQ(profile.error().code, std::errc::permission_denied);
}

TEST_F(ProfileTest, ProfilePathThatIsAFileIsAnError) {
  write_raw(dir_, "not a directory");
  auto profile = open();
  ASSERT_FALSE(profile);
  EXPECT_EQ(profile.error().path, dir_);
  EXPECT_EQ(read_all(dir_), "not a directory");
}

TEST_F(ProfileTest, CorruptSettingsAreAnErrorNamingTheFileAndNeverOverwritten) {
  ASSERT_TRUE(open());
  const fs::path settings = dir_ / kSettingsFileName;
  for (const char* content : {"", "{", "[1, 2]", "{\"listen_port\": \"many\"}", "{\"listen_port\": 80}",
                              "{\"listen_port\": 70000}", "{\"supernode_mode\": \"sometimes\"}",
                              "{\"display_name\": 5}", "\xff\xfe{}"}) {
    SCOPED_TRACE(content);
    write_raw(settings, content);
    auto profile = open();
    ASSERT_FALSE(profile);
    EXPECT_EQ(profile.error().path, settings);
    EXPECT_NE(profile.error().message().find(settings.string()), std::string::npos);
    EXPECT_EQ(read_all(settings), content);
  }
}

TEST_F(ProfileTest, MissingSettingsFieldsAreFilledAndRemembered) {
  fs::create_directories(dir_);
  write_raw(dir_ / kSettingsFileName, R"({"display_name": "Ada", "theme": {"dark": true}})");
  auto first = open();
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(first->settings().display_name, "Ada");
  const uint16_t port = first->settings().listen_port;
  EXPECT_GE(port, kMinListenPort);

  SeededRandom other_random(1234);
  auto second = Profile::open_or_create(dir_, other_random);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->settings().listen_port, port);
  EXPECT_NE(read_all(dir_ / kSettingsFileName).find("\"theme\""), std::string::npos);
}

TEST_F(ProfileTest, SavedSettingsPersistAndKeepUnknownFields) {
  ASSERT_TRUE(open());
  write_raw(dir_ / kSettingsFileName,
            R"({"future_option": [1, "two"], "display_name": "", "listen_port": 40000, "supernode_mode": "auto"})");
  auto profile = open();
  ASSERT_TRUE(profile) << profile.error().message();

  Settings changed = profile->settings();
  changed.display_name = "Grace";
  changed.listen_port = 50000;
  changed.supernode_mode = SupernodeMode::kDisabled;
  ASSERT_EQ(profile->save_settings(changed), std::nullopt);
  EXPECT_EQ(profile->settings().display_name, "Grace");
  EXPECT_EQ(permissions_of(dir_ / kSettingsFileName), 0600u);

  auto reopened = open();
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->settings().display_name, "Grace");
  EXPECT_EQ(reopened->settings().listen_port, 50000);
  EXPECT_EQ(reopened->settings().supernode_mode, SupernodeMode::kDisabled);
  EXPECT_EQ(reopened->settings().other_fields.at("future_option"), nlohmann::ordered_json::parse(R"([1, "two"])"));
}

TEST_F(ProfileTest, FailedSettingsSaveKeepsTheOldSettings) {
  auto profile = open();
  ASSERT_TRUE(profile);
  const Settings before = profile->settings();
  const std::string before_text = read_all(dir_ / kSettingsFileName);
  // Make the target a directory so the atomic replace fails, even for root.
  fs::remove(dir_ / kSettingsFileName);
  fs::create_directory(dir_ / kSettingsFileName);
  Settings changed = before;
  changed.display_name = "Other";
  const auto error = profile->save_settings(changed);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->path, dir_ / kSettingsFileName);
  EXPECT_EQ(profile->settings().display_name, before.display_name);
}

TEST_F(ProfileTest, InvalidSettingsAreNotSaved) {
  auto profile = open();
  ASSERT_TRUE(profile);
  const std::string before = read_all(dir_ / kSettingsFileName);
  Settings too_long = profile->settings();
  too_long.display_name = std::string(kMaxDisplayNameBytes + 1, 'x');
  Settings bad_port = profile->settings();
  bad_port.listen_port = 80;
  for (const Settings& invalid : {too_long, bad_port}) {
    const auto error = profile->save_settings(invalid);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->path, dir_ / kSettingsFileName);
    EXPECT_EQ(read_all(dir_ / kSettingsFileName), before);
  }
}

TEST(DefaultProfileDir, FollowsTheXdgBaseDirectorySpec) {
  EXPECT_EQ(default_profile_dir("/data", "/home/ada").value(), fs::path("/data/koe"));
  EXPECT_EQ(default_profile_dir(nullptr, "/home/ada").value(), fs::path("/home/ada/.local/share/koe"));
  EXPECT_EQ(default_profile_dir("", "/home/ada").value(), fs::path("/home/ada/.local/share/koe"));
  // Relative XDG paths are invalid by the spec and ignored.
  EXPECT_EQ(default_profile_dir("relative/data", "/home/ada").value(), fs::path("/home/ada/.local/share/koe"));
  auto neither = default_profile_dir(nullptr, "");
  ASSERT_FALSE(neither);
  EXPECT_NE(neither.error().find("HOME"), std::string::npos);
}

}  // namespace
}  // namespace koe
