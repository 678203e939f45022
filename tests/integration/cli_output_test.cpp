// The output convention (app/output.hpp): text for people by default, JSON
// with --json, through the same functions the binary prints with.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <random>
#include <string>

#include "clueline/crypto/encoding.hpp"
#include "files.hpp"
#include "output.hpp"
#include "server_process.hpp"

namespace clueline::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

TEST(CliOutput, TextNamesEveryFieldAlignedAndNestsRecords) {
  const json::value result = json::parse(R"({
    "id": 9, "login_name": "li", "active": true, "last_login_at": null,
    "key_ids": ["a", "b"], "grants": [],
    "keys": [{"key_id": "k1", "current": false}, {"key_id": "k2", "current": true}],
    "head": {"seq": 3}})");
  EXPECT_EQ(app::human_text(result),
            "id:            9\n"
            "login name:    li\n"
            "active:        yes\n"
            "last login at: -\n"
            "key ids:       a, b\n"
            "grants:        -\n"
            "keys:\n"
            "  key id:  k1\n"
            "  current: no\n"
            "\n"
            "  key id:  k2\n"
            "  current: yes\n"
            "head:\n"
            "  seq: 3\n");
}

TEST(AttachmentNames, AReportersNameNeverLeavesTheDirectory) {
  EXPECT_EQ(app::safe_attachment_name("photo.jpg", 0), "photo.jpg");
  EXPECT_EQ(app::safe_attachment_name("../../etc/passwd", 0), "passwd");
  EXPECT_EQ(app::safe_attachment_name("C:\\Users\\x\\scan.pdf", 0), "scan.pdf");
  EXPECT_EQ(app::safe_attachment_name("..", 0), "_.");
  EXPECT_EQ(app::safe_attachment_name(".bashrc", 0), "_bashrc");
  EXPECT_EQ(app::safe_attachment_name("dir/", 4), "attachment-5");
  EXPECT_EQ(app::safe_attachment_name("", 0), "attachment-1");
  EXPECT_EQ(app::safe_attachment_name(std::string("a\nb\x7f.txt"), 0), "a_b_.txt");
  // 100 bytes at most, cut between characters: 34 three-byte characters
  // are 102 bytes, 33 of them fit.
  std::string long_name;
  for (int i = 0; i < 34; ++i) long_name += "照";
  const std::string cut = app::safe_attachment_name(long_name, 0);
  EXPECT_EQ(cut.size(), 99u);
  EXPECT_EQ(cut, long_name.substr(0, 99));
}

TEST(AttachmentNames, TheSameNameTwiceKeepsBothFiles) {
  const fs::path directory =
      fs::temp_directory_path() / ("clueline-names-" + std::to_string(std::random_device{}()));
  const std::string a = "first", b = "second";
  const fs::path first = app::write_attachment(directory, "image.jpg", 0, crypto::as_bytes(a));
  const fs::path second = app::write_attachment(directory, "image.jpg", 1, crypto::as_bytes(b));
  EXPECT_EQ(first.filename(), "image.jpg");
  EXPECT_EQ(second.filename(), "image (2).jpg");
  EXPECT_EQ(read_file(first), a);
  EXPECT_EQ(read_file(second), b);
  EXPECT_EQ(fs::status(directory).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_EQ(fs::status(second).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  fs::remove_all(directory);
}

class CliOutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        fs::temp_directory_path() / ("clueline-output-" + std::to_string(std::random_device{}()));
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }
  fs::path directory_;
};

TEST_F(CliOutputTest, EveryCommandPrintsTextAndJsonOnlyWhenAsked) {
  const std::string keygen = "keygen unit --out-dir " + (directory_ / "keys").string();
  const CommandRun text = run_clueline(directory_, keygen + " --name a");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_TRUE(text.out.starts_with("kind:       unit\npublic key: ")) << text.out;
  const CommandRun as_json = run_clueline_json(directory_, keygen + " --name b");
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  EXPECT_EQ(json::parse(as_json.out).at("kind"), "unit") << as_json.out;
  // --json is a flag like any other: given twice, it is refused.
  const CommandRun twice = run_clueline(directory_, keygen + " --name c --json --json");
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.err.find("--json given twice"), std::string::npos) << twice.err;
}

}  // namespace
}  // namespace clueline::testing
