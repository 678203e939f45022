// `--help` and `--version` through the real binary, driven by the usage
// table itself (app/usage.hpp): every entry answers, with its own text and
// nothing else, and every entry names a command the binary has.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <random>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "server_process.hpp"
#include "usage.hpp"

namespace clueline::testing {
namespace {

namespace fs = std::filesystem;
using app::UsageEntry;

class CliHelpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        fs::temp_directory_path() / ("clueline-cli-help-" + std::to_string(std::random_device{}()));
    work_dir_ = directory_ / "work";
    fs::create_directories(work_dir_);
    // Run from an empty directory, with the session file and configuration
    // pointed into it, so that anything a command wrongly creates shows up
    // there and nothing outside is touched.
    previous_dir_ = fs::current_path();
    fs::current_path(work_dir_);
    ::setenv("CLUELINE_SESSION_FILE", (work_dir_ / "session.json").c_str(), 1);
    ::unsetenv("CLUELINE_CONFIG");
  }
  void TearDown() override {
    fs::current_path(previous_dir_);
    fs::remove_all(directory_);
  }

  // The output files live beside the working directory, not in it.
  CommandRun clueline(const std::string& arguments) { return run_clueline(directory_, arguments); }

  std::vector<std::string> created() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::recursive_directory_iterator(work_dir_)) {
      names.push_back(entry.path().string());
    }
    return names;
  }

  fs::path directory_;
  fs::path work_dir_;
  fs::path previous_dir_;
};

bool has_subcommands(const UsageEntry& entry) {
  return !app::subcommands_of(entry.command).empty();
}

TEST_F(CliHelpTest, EveryEntryAnswersHelpAndDashHWithItsOwnUsageOnly) {
  ASSERT_FALSE(app::usage_entries().empty());
  for (const UsageEntry& entry : app::usage_entries()) {
    const std::string command(entry.command);
    for (const std::string flag : {"--help", "-h"}) {
      const CommandRun run = clueline(command + " " + flag);
      EXPECT_EQ(run.exit_code, 0) << command << " " << flag << ": " << run.err;
      EXPECT_EQ(run.err, "") << command << " " << flag;
      ASSERT_FALSE(run.out.empty()) << command << " " << flag;
      const std::string prefix = "usage: clueline " + command;
      EXPECT_TRUE(run.out.starts_with(prefix + " ") || run.out.starts_with(prefix + "\n"))
          << command << " " << flag << " printed:\n"
          << run.out;
      EXPECT_EQ(run.out, app::help_text(entry)) << command << " " << flag;
    }
  }
  EXPECT_EQ(created(), std::vector<std::string>{});
}

TEST_F(CliHelpTest, TheTableCoversEveryCommandAndSubcommand) {
  for (const std::string_view command :
       {"serve",         "demo",         "keygen",       "submit",
        "open",          "followup",     "unit",         "unit add",
        "unit list",     "unit add-key", "site",         "site add",
        "site list",     "site revoke",  "site qr",      "route",
        "route explain", "queue",        "deadlines",    "deadlines run",
        "audit",         "audit verify", "audit list",   "audit checkpoint",
        "account",       "account add",  "account list", "account unlock",
        "login",         "logout",       "whoami"}) {
    EXPECT_NE(app::find_usage(command), nullptr) << command;
  }
  std::map<std::string_view, int> seen;
  for (const UsageEntry& entry : app::usage_entries()) {
    EXPECT_EQ(++seen[entry.command], 1) << entry.command << " is in the table twice";
    EXPECT_TRUE(entry.text.ends_with('\n')) << entry.command;
    // A subcommand's group must have an entry of its own (its --help).
    if (const auto space = entry.command.rfind(' '); space != std::string_view::npos) {
      EXPECT_NE(app::find_usage(entry.command.substr(0, space)), nullptr) << entry.command;
    }
  }
}

// Each entry reaches the command's own option parser, which rejects an
// unknown option: the dispatch knows the command, so no entry is dead. A
// group (unit, site, ...) refuses a missing subcommand, but not as an
// unknown command.
TEST_F(CliHelpTest, EveryEntryNamesACommandTheBinaryDispatches) {
  // Words a command needs before its options.
  const std::map<std::string_view, std::string> leading = {{"keygen", " unit"}};
  for (const UsageEntry& entry : app::usage_entries()) {
    const std::string command(entry.command);
    const auto words = leading.find(entry.command);
    const CommandRun run =
        clueline(command + (words == leading.end() ? "" : words->second) + " --no-such-option");
    EXPECT_EQ(run.exit_code, 2) << command << ": " << run.err;
    EXPECT_EQ(run.err.find("unknown command"), std::string::npos) << command << ": " << run.err;
    if (!has_subcommands(entry)) {
      EXPECT_NE(run.err.find("unknown option \"--no-such-option\""), std::string::npos)
          << command << ": " << run.err;
    }
  }
  EXPECT_EQ(created(), std::vector<std::string>{});
}

// The summary (`clueline help`) lists every command of the table.
TEST_F(CliHelpTest, TheSummaryListsEveryEntry) {
  const CommandRun summary = clueline("help");
  ASSERT_EQ(summary.exit_code, 0) << summary.err;
  ASSERT_TRUE(summary.out.starts_with("usage: clueline <command>")) << summary.out;
  for (const UsageEntry& entry : app::usage_entries()) {
    const std::string listed = "  " + std::string(entry.command);
    EXPECT_TRUE(summary.out.find(listed + " ") != std::string::npos ||
                summary.out.find(listed + "\n") != std::string::npos)
        << entry.command << " is not in the summary";
  }
}

TEST_F(CliHelpTest, HelpWinsOverEverythingElseAndOpensNothing) {
  const CommandRun queue = clueline("queue --help --data-dir /nonexistent");
  EXPECT_EQ(queue.exit_code, 0) << queue.err;
  EXPECT_EQ(queue.err, "");
  EXPECT_EQ(queue.out, app::help_text(*app::find_usage("queue")));
  EXPECT_FALSE(fs::exists("/nonexistent"));

  // unit add would create its data directory; serve would open one.
  const fs::path fresh = work_dir_ / "fresh";
  const CommandRun unit = clueline("unit add --name x --data-dir " + fresh.string() + " -h");
  EXPECT_EQ(unit.exit_code, 0) << unit.err;
  EXPECT_EQ(unit.out, app::help_text(*app::find_usage("unit add")));
  EXPECT_EQ(clueline("demo --data-dir " + fresh.string() + " --help").exit_code, 0);
  EXPECT_EQ(clueline("serve --config " + (work_dir_ / "none.toml").string() + " --help").exit_code,
            0);
  EXPECT_EQ(created(), std::vector<std::string>{});
}

TEST_F(CliHelpTest, HelpCommandTakesACommandAndSubcommand) {
  const CommandRun run = clueline("help site qr");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, app::help_text(*app::find_usage("site qr")));
  const CommandRun group = clueline("help audit");
  EXPECT_EQ(group.exit_code, 0) << group.err;
  EXPECT_EQ(group.out, app::help_text(*app::find_usage("audit")));
  EXPECT_NE(group.out.find("  clueline audit checkpoint --signing-key FILE"), std::string::npos)
      << group.out;
  EXPECT_EQ(clueline("help no-such-command").exit_code, 2);
}

TEST_F(CliHelpTest, UnknownCommandsAndSubcommandsStillExit2) {
  const CommandRun command = clueline("no-such-command --help");
  EXPECT_EQ(command.exit_code, 2);
  EXPECT_EQ(command.out, "");
  EXPECT_NE(command.err.find("unknown command \"no-such-command\""), std::string::npos)
      << command.err;

  for (const std::string group : {"unit", "site", "audit", "account", "route", "deadlines"}) {
    const CommandRun plain = clueline(group + " no-such-subcommand");
    EXPECT_EQ(plain.exit_code, 2) << group << ": " << plain.err;
    EXPECT_EQ(plain.out, "") << group;

    const CommandRun help = clueline(group + " no-such-subcommand --help");
    EXPECT_EQ(help.exit_code, 2) << group << ": " << help.err;
    EXPECT_EQ(help.out, "") << group;
    // One line, naming the subcommands there are.
    EXPECT_TRUE(help.err.starts_with("clueline: no usage for \"" + group + " no-such-subcommand\""))
        << help.err;
    EXPECT_EQ(help.err.find('\n'), help.err.size() - 1) << help.err;
    for (const UsageEntry* subcommand : app::subcommands_of(group)) {
      EXPECT_NE(help.err.find(subcommand->command.substr(group.size() + 1)), std::string::npos)
          << help.err;
    }
  }
  EXPECT_EQ(created(), std::vector<std::string>{});
}

TEST_F(CliHelpTest, VersionPrintsTheProjectVersion) {
  for (const std::string command : {"--version", "version"}) {
    const CommandRun run = clueline(command);
    EXPECT_EQ(run.exit_code, 0) << command << ": " << run.err;
    EXPECT_EQ(run.err, "") << command;
    EXPECT_TRUE(std::regex_match(run.out, std::regex("clueline [0-9]+\\.[0-9]+\\.[0-9]+\n")))
        << command << " printed: " << run.out;
  }
}

}  // namespace
}  // namespace clueline::testing
