// The reference client against the real server: `clueline submit --server`
// (route, proof of work, sealing, attachment upload), `clueline followup`
// with the receipt, and `clueline open --data-dir` with the unit's key.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <boost/json/parse.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <string>

#include "deployment_fixture.hpp"
#include "server_process.hpp"

namespace clueline::testing {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class CliIntakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() / ("clueline-cli-intake-" + std::to_string(std::random_device{}()));
    fs::create_directories(directory_ / "data");
    deployment_ = write_test_deployment(directory_ / "data");
  }
  void TearDown() override { fs::remove_all(directory_); }

  CliRun clueline(const std::string& arguments) {
    const auto out = directory_ / "stdout";
    const auto err = directory_ / "stderr";
    const std::string command =
        std::string(CLUELINE_BINARY) + " " + arguments + " >" + out.string() + " 2>" + err.string();
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out), read_file(err)};
  }

  fs::path directory_;
  TestDeployment deployment_;
};

TEST_F(CliIntakeTest, SubmitFollowUpAndOpenTheStoredClue) {
  std::optional<ServerProcess> server;
  server.emplace("CliIntake.Submit", ServerOptions{.extra_config = "[pow]\ndifficulty = 8\n",
                                                   .data_dir = directory_ / "data"});
  const std::string url = "https://localhost:" + std::to_string(server->public_port());
  const std::string tls = " --server " + url + " --ca-file " + server->certificate().string();

  const std::string text = "乡长虚报工程款 marker-3c0ffee1";
  std::ofstream(directory_ / "report.txt") << text;
  std::string photo(200000, '\0');
  for (std::size_t i = 0; i < photo.size(); ++i) photo[i] = static_cast<char>((i * 7919) % 253);
  std::ofstream(directory_ / "photo.jpg", std::ios::binary) << photo;

  const CliRun submitted = clueline("submit" + tls + " --token " + deployment_.site_token +
                                    " --category bribery --accused-level village --text-file " +
                                    (directory_ / "report.txt").string() + " --attach " +
                                    (directory_ / "photo.jpg").string());
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  const auto receipt_answer = boost::json::parse(submitted.out).as_object();
  const std::string receipt(receipt_answer.at("receipt").as_string());
  const std::string clue_id(receipt_answer.at("clue_id").as_string());
  EXPECT_TRUE(std::regex_match(receipt, std::regex(R"(\d{5}(-\d{5}){4})"))) << receipt;
  EXPECT_EQ(receipt_answer.at("attachments").as_int64(), 1);

  const CliRun followed = clueline("followup" + tls + " --receipt " + receipt + " --token " +
                                   deployment_.site_token);
  ASSERT_EQ(followed.exit_code, 0) << followed.err;
  const auto status = boost::json::parse(followed.out).as_object();
  EXPECT_EQ(status.at("clue_id").as_string(), clue_id);
  EXPECT_EQ(status.at("status"), "received");
  EXPECT_EQ(status.at("attachments").at(0).at("complete"), true);

  // A receipt with one digit changed finds nothing.
  std::string wrong = receipt;
  wrong[0] = wrong[0] == '9' ? '8' : static_cast<char>(wrong[0] + 1);
  const CliRun unknown = clueline("followup" + tls + " --receipt " + wrong + " --token " +
                                  deployment_.site_token);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("404"), std::string::npos) << unknown.err;

  ASSERT_EQ(server->terminate(std::chrono::seconds(10)), 0) << server->stderr_text();
  const std::string access_log = server->access_log_text();
  server.reset();

  // The township's key opens the stored clue to the exact text and file.
  const auto key_file = directory_ / "township.key";
  std::ofstream(key_file) << crypto::to_base64url(deployment_.unit_keys.at("township").secret_key.bytes())
                          << "\n";
  const CliRun opened = clueline("open --secret-key-file " + key_file.string() + " --data-dir " +
                                 (directory_ / "data").string() + " --clue " + clue_id +
                                 " --attachments-dir " + (directory_ / "opened").string());
  ASSERT_EQ(opened.exit_code, 0) << opened.err;
  const auto report = boost::json::parse(opened.out).as_object();
  EXPECT_EQ(report.at("body").at("text").as_string(), text);
  EXPECT_EQ(read_file(directory_ / "opened" / "photo.jpg"), photo);

  // The county's key does not.
  const auto county_key = directory_ / "county.key";
  std::ofstream(county_key) << crypto::to_base64url(deployment_.unit_keys.at("county").secret_key.bytes())
                            << "\n";
  EXPECT_EQ(clueline("open --secret-key-file " + county_key.string() + " --data-dir " +
                     (directory_ / "data").string() + " --clue " + clue_id)
                .exit_code,
            1);

  // No plaintext and no client address in the data directory or the log.
  for (const auto& entry : fs::recursive_directory_iterator(directory_ / "data")) {
    if (!entry.is_regular_file()) continue;
    const std::string content = read_file(entry.path());
    EXPECT_EQ(content.find("marker-3c0ffee1"), std::string::npos) << entry.path();
    EXPECT_EQ(content.find("127.0.0.1"), std::string::npos) << entry.path();
    EXPECT_EQ(content.find(photo.substr(1000, 64)), std::string::npos) << entry.path();
  }
  EXPECT_EQ(access_log.find("127.0.0.1"), std::string::npos);
  EXPECT_EQ(access_log.find("marker-3c0ffee1"), std::string::npos);
}

}  // namespace
}  // namespace clueline::testing
