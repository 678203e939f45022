// The modes of what clueline creates (data directories 0700, secret keys
// 0600) and serve's refusal of a data directory others may use, through the
// real binary, under the common umask 022 (which alone would give 0755).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>

#include "server_process.hpp"

namespace clueline::testing {
namespace {

namespace fs = std::filesystem;

// The permission bits of `path`, or ~0u if it cannot be looked at.
unsigned mode_of(const fs::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return ~0u;
  return info.st_mode & 07777;
}

class DataDirPermissionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_umask_ = ::umask(022);  // inherited by the commands run
    directory_ = fs::temp_directory_path() /
                 ("clueline-permissions-" + std::to_string(std::random_device{}()));
    fs::create_directories(directory_);
  }
  void TearDown() override {
    fs::remove_all(directory_);
    ::umask(previous_umask_);
  }

  CommandRun clueline(const std::string& arguments) {
    return run_clueline_json(directory_, arguments);
  }

  fs::path directory_;
  mode_t previous_umask_ = 022;
};

TEST_F(DataDirPermissionsTest, UnitAddCreatesTheDataDirectoryAndDatabase0700) {
  const fs::path data_dir = directory_ / "parent" / "data";
  const CommandRun run =
      clueline("unit add --name Province --level province --data-dir " + data_dir.string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(mode_of(data_dir), 0700u);
  EXPECT_EQ(mode_of(data_dir / "rocksdb"), 0700u);
  EXPECT_EQ(mode_of(directory_ / "parent"), 0755u) << "parents are made as mkdir -p makes them";

  // The same with a trailing slash, which names the same directory.
  const fs::path slashed = directory_ / "slashed";
  ASSERT_EQ(
      clueline("unit add --name Province --level province --data-dir " + slashed.string() + "/")
          .exit_code,
      0);
  EXPECT_EQ(mode_of(slashed), 0700u);
}

TEST_F(DataDirPermissionsTest, KeygenWritesTheSecretKey0600InA0700Directory) {
  const fs::path keys = directory_ / "keys";
  for (const std::string kind : {"unit", "site-signing"}) {
    const CommandRun run = clueline("keygen " + kind + " --out-dir " + keys.string());
    ASSERT_EQ(run.exit_code, 0) << kind << ": " << run.err;
    EXPECT_EQ(mode_of(keys / (kind + ".key")), 0600u) << kind;
    EXPECT_EQ(mode_of(keys / (kind + ".pub")), 0644u) << kind;
  }
  EXPECT_EQ(mode_of(keys), 0700u);

  // An existing directory is the operator's: its mode stays.
  fs::create_directories(directory_ / "shared");
  ASSERT_EQ(clueline("keygen unit --out-dir " + (directory_ / "shared").string()).exit_code, 0);
  EXPECT_EQ(mode_of(directory_ / "shared"), 0755u);
  EXPECT_EQ(mode_of(directory_ / "shared" / "unit.key"), 0600u);
}

TEST_F(DataDirPermissionsTest, ServeRefusesADataDirectoryGroupOrOthersMayUse) {
  const fs::path data_dir = directory_ / "data";
  create_data_dir(data_dir);
  for (const unsigned mode : {0755u, 0750u, 0710u, 0701u, 0702u, 0777u}) {
    fs::permissions(data_dir, static_cast<fs::perms>(mode));
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", mode);
    try {
      ServerProcess server("DataDirPermissions.Refused", ServerOptions{.data_dir = data_dir});
      ADD_FAILURE() << "serve started on a data directory of mode " << octal;
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()),
                "server exited during start-up (exit code 1): clueline: storage.data_dir: " +
                    data_dir.string() + " is open to group or others (mode " + octal +
                    "); run chmod 700 " + data_dir.string() + "\n");
    }
    EXPECT_EQ(mode_of(data_dir), mode) << "the refusal changes nothing";
    EXPECT_FALSE(fs::exists(data_dir / "rocksdb")) << octal;
  }
}

TEST_F(DataDirPermissionsTest, ServeStartsOnAPrivateDataDirectoryAndCreatesAMissingOne0700) {
  const fs::path data_dir = directory_ / "data";
  create_data_dir(data_dir);
  {
    ServerProcess server("DataDirPermissions.Private", ServerOptions{.data_dir = data_dir});
    EXPECT_GT(server.public_port(), 0);
    EXPECT_EQ(server.terminate(std::chrono::seconds(30)), 0) << server.stderr_text();
  }
  EXPECT_EQ(mode_of(data_dir / "rocksdb"), 0700u);

  ServerProcess fresh("DataDirPermissions.Fresh");  // its data directory does not exist yet
  EXPECT_EQ(mode_of(fresh.data_dir()), 0700u);
  EXPECT_EQ(mode_of(fresh.data_dir() / "rocksdb"), 0700u);
}

TEST_F(DataDirPermissionsTest, DemoCreatesItsDirectory0700AndRefusesAnOpenOne) {
  const fs::path demo = directory_ / "demo";
  const CommandRun run = clueline("demo --setup-only --data-dir " + demo.string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(mode_of(demo), 0700u);
  EXPECT_EQ(mode_of(demo / "rocksdb"), 0700u);
  EXPECT_EQ(mode_of(demo / "keys"), 0700u);
  EXPECT_EQ(mode_of(demo / "keys" / "site-signing.key"), 0600u);

  const fs::path open = directory_ / "open";
  fs::create_directories(open);
  const CommandRun refused = clueline("demo --setup-only --data-dir " + open.string());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.err, "clueline: --data-dir: " + open.string() +
                             " is open to group or others (mode 0755); run chmod 700 " +
                             open.string() + "\n");
  EXPECT_TRUE(fs::is_empty(open)) << "nothing is written into a refused directory";
}

}  // namespace
}  // namespace clueline::testing
