// The output convention (app/output.hpp): text for people by default, JSON
// with --json, through the same functions the binary prints with.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <random>
#include <string>

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
