// Atomic whole-file writes and bounded reads: content, modes, and that a failed write
// leaves the old content and no temp file behind.
#include "app/atomic_file.hpp"

#include <gtest/gtest.h>

#include "tests/support/unprivileged_scope.hpp"
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <string>

namespace koe {
namespace {

namespace fs = std::filesystem;

Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

mode_t permissions_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "koe-atomic-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    old_umask_ = ::umask(022);
  }
  void TearDown() override {
    ::umask(old_umask_);
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, ec);
    fs::remove_all(dir_, ec);
  }
  // Every name in the test directory, to show no temp file was left behind.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path dir_;
  mode_t old_umask_ = 0;
};

TEST_F(AtomicFileTest, CreatesFileWithContentAndMode) {
  const fs::path target = dir_ / "key";
  ASSERT_EQ(write_file_atomically(target, bytes_of("secret\n"), 0600), std::nullopt);
  EXPECT_EQ(read_all(target), "secret\n");
  EXPECT_EQ(permissions_of(target), 0600u);
  EXPECT_EQ(entries(), std::vector<std::string>{"key"});

  ASSERT_EQ(write_file_atomically(dir_ / "public", bytes_of(""), 0644), std::nullopt);
  EXPECT_EQ(permissions_of(dir_ / "public"), 0644u);
  EXPECT_EQ(read_all(dir_ / "public"), "");
}

TEST_F(AtomicFileTest, ReplacesExistingContent) {
  const fs::path target = dir_ / "settings.json";
  ASSERT_EQ(write_file_atomically(target, bytes_of("old"), 0600), std::nullopt);
  ASSERT_EQ(write_file_atomically(target, bytes_of("new and longer"), 0600), std::nullopt);
  EXPECT_EQ(read_all(target), "new and longer");
  EXPECT_EQ(entries(), std::vector<std::string>{"settings.json"});
}

TEST_F(AtomicFileTest, IfExistsFailLeavesAnExistingFileAlone) {
  const fs::path target = dir_ / "identity.key";
  ASSERT_EQ(write_file_atomically(target, bytes_of("first"), 0600, IfExists::kFail), std::nullopt);
  const auto error = write_file_atomically(target, bytes_of("second"), 0600, IfExists::kFail);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, std::errc::file_exists);
  EXPECT_EQ(error->path, target);
  EXPECT_EQ(read_all(target), "first");
  EXPECT_EQ(entries(), std::vector<std::string>{"identity.key"});
}

TEST_F(AtomicFileTest, TargetThatIsADirectoryIsAnErrorAndSurvives) {
  const fs::path target = dir_ / "identity.key";
  fs::create_directory(target);
  std::ofstream(target / "inside") << "kept";
  for (auto if_exists : {IfExists::kReplace, IfExists::kFail}) {
    const auto error = write_file_atomically(target, bytes_of("data"), 0600, if_exists);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->path, target);
    EXPECT_NE(error->message().find(target.string()), std::string::npos) << error->message();
    EXPECT_TRUE(fs::is_directory(target));
    EXPECT_EQ(read_all(target / "inside"), "kept");
    EXPECT_EQ(entries(), std::vector<std::string>{"identity.key"});
  }
}

TEST_F(AtomicFileTest, MissingDirectoryIsAnErrorNamingTheFile) {
  const fs::path target = dir_ / "no-such-dir" / "file";
  const auto error = write_file_atomically(target, bytes_of("data"), 0600);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->path, target);
  EXPECT_EQ(error->code, std::errc::no_such_file_or_directory);
  EXPECT_TRUE(entries().empty());
}

TEST_F(AtomicFileTest, FailedWriteKeepsOldContentAndRemovesTempFile) {
  // A file-size limit makes write(2) fail part-way (EFBIG), even for root.
  const fs::path target = dir_ / "settings.json";
  ASSERT_EQ(write_file_atomically(target, bytes_of("old content"), 0600), std::nullopt);

  struct rlimit old_limit {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto* old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old_limit;
  small.rlim_cur = 4096;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  const auto error = write_file_atomically(target, Bytes(64 * 1024, 'x'), 0600);
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  ::signal(SIGXFSZ, old_handler);

  ASSERT_TRUE(error);
  EXPECT_EQ(error->path, target);
  EXPECT_EQ(error->code, std::errc::file_too_large);
  EXPECT_EQ(read_all(target), "old content");
  EXPECT_EQ(entries(), std::vector<std::string>{"settings.json"});
}

TEST_F(AtomicFileTest, ReadOnlyDirectoryIsAnError) {
  const fs::path target = dir_ / "file";
  ASSERT_EQ(write_file_atomically(target, bytes_of("old"), 0600), std::nullopt);
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec);
  std::optional<FileError> error;
  {
    const test::UnprivilegedScope nobody({dir_, target});  // root would ignore the permission
    ASSERT_TRUE(nobody.ok());
    error = write_file_atomically(target, bytes_of("new"), 0600);
  }
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, std::errc::permission_denied);
  EXPECT_EQ(read_all(target), "old");
}

TEST_F(AtomicFileTest, ReadsContentAndPermissions) {
  const fs::path target = dir_ / "f";
  ASSERT_EQ(write_file_atomically(target, bytes_of("hello"), 0640), std::nullopt);
  auto contents = read_file(target, 100);
  ASSERT_TRUE(contents) << contents.error().message();
  EXPECT_EQ(contents->bytes, bytes_of("hello"));
  EXPECT_EQ(contents->permissions, 0640u);

  auto exact = read_file(target, 5);
  ASSERT_TRUE(exact);
  EXPECT_EQ(exact->bytes.size(), 5u);
}

TEST_F(AtomicFileTest, ReadRefusesMissingLargeAndNonRegularFiles) {
  auto missing = read_file(dir_ / "missing", 100);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().path, dir_ / "missing");
  EXPECT_EQ(missing.error().code, std::errc::no_such_file_or_directory);

  ASSERT_EQ(write_file_atomically(dir_ / "big", Bytes(101, 'x'), 0600), std::nullopt);
  auto big = read_file(dir_ / "big", 100);
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message().find("too large"), std::string::npos) << big.error().message();

  auto directory = read_file(dir_, 100);
  ASSERT_FALSE(directory);
  EXPECT_NE(directory.error().message().find("not a regular file"), std::string::npos);

  // A FIFO would block a plain open or read forever.
  ASSERT_EQ(::mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  auto fifo = read_file(dir_ / "fifo", 100);
  ASSERT_FALSE(fifo);
  EXPECT_NE(fifo.error().message().find("not a regular file"), std::string::npos);
}

}  // namespace
}  // namespace koe
