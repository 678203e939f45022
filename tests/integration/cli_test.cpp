// The reference client end to end through the real binary: keygen, submit
// (a sealed report with an attachment) and open with the unit's secret key.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <string>

#include "clueline/crypto/crypto.hpp"
#include "server_process.hpp"

namespace clueline::testing {
namespace {

namespace fs = std::filesystem;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        fs::temp_directory_path() / ("clueline-cli-" + std::to_string(std::random_device{}()));
    fs::create_directories(directory_);
    crypto::initialize();
  }
  void TearDown() override { fs::remove_all(directory_); }

  CommandRun clueline(const std::string& arguments) {
    return run_clueline_json(directory_, arguments);
  }

  std::string first_line(const fs::path& path) {
    std::string line;
    std::getline(std::ifstream(path) >> std::ws, line);
    return line;
  }

  // A site token signed with the deployment key keygen wrote.
  std::string site_token(std::uint32_t site_id) {
    const auto secret = crypto::from_base64url(first_line(directory_ / "site-signing.key"));
    const auto pair = crypto::signing_key_pair_from_secret(secret.value());
    return crypto::sign_site_token({site_id, 1}, pair.value());
  }

  std::string salt() {
    std::array<std::byte, 16> bytes;
    crypto::random_bytes(bytes);
    return crypto::to_base64url(bytes);
  }

  fs::path directory_;
};

TEST_F(CliTest, KeygenWritesKeyFilesWithPrivateModeAndNeverOverwrites) {
  const CommandRun unit =
      clueline("keygen unit --out-dir " + directory_.string() + " --name county");
  ASSERT_EQ(unit.exit_code, 0) << unit.err;
  const auto printed = boost::json::parse(unit.out);
  EXPECT_EQ(printed.at("kind"), "unit");
  EXPECT_EQ(printed.at("public_key").as_string(), first_line(directory_ / "county.pub"));
  struct stat info {};
  ASSERT_EQ(::stat((directory_ / "county.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  const std::string before = read_file(directory_ / "county.key");
  const CommandRun again =
      clueline("keygen unit --out-dir " + directory_.string() + " --name county");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("county.key"), std::string::npos) << again.err;
  EXPECT_EQ(read_file(directory_ / "county.key"), before);

  EXPECT_EQ(clueline("keygen banana --out-dir " + directory_.string()).exit_code, 2);
}

TEST_F(CliTest, SubmittedReportOpensWithTheUnitKeyOnly) {
  ASSERT_EQ(clueline("keygen unit --out-dir " + directory_.string() + " --name township").exit_code,
            0);
  ASSERT_EQ(clueline("keygen unit --out-dir " + directory_.string() + " --name other").exit_code,
            0);
  ASSERT_EQ(clueline("keygen site-signing --out-dir " + directory_.string()).exit_code, 0);

  const std::string text = "村主任挪用低保资金 — marker-7f3a9c";
  std::ofstream(directory_ / "report.txt") << text;
  std::string photo(100000, '\0');
  for (std::size_t i = 0; i < photo.size(); ++i) photo[i] = static_cast<char>(i * 31 % 251);
  std::ofstream(directory_ / "photo.jpg", std::ios::binary) << photo;

  const auto envelope = directory_ / "report.clue";
  const CommandRun submitted = clueline(
      "submit --token " + site_token(42) + " --category embezzlement --accused-level village" +
      " --recipient " + (directory_ / "township.pub").string() + " --salt " + salt() +
      " --text-file " + (directory_ / "report.txt").string() + " --attach " +
      (directory_ / "photo.jpg").string() + " --pow-difficulty 8 --out " + envelope.string());
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  const auto receipt = boost::json::parse(submitted.out).at("receipt").as_string();
  EXPECT_TRUE(std::regex_match(std::string(receipt), std::regex(R"(\d{5}(-\d{5}){4})"))) << receipt;

  // The sealed file holds no plaintext.
  const std::string sealed = read_file(envelope) + read_file(envelope.string() + ".attachment-1");
  EXPECT_EQ(sealed.find("marker-7f3a9c"), std::string::npos);
  EXPECT_EQ(sealed.find(photo.substr(0, 64)), std::string::npos);

  const auto attachments = directory_ / "opened";
  const CommandRun opened =
      clueline("open --secret-key-file " + (directory_ / "township.key").string() + " --in " +
               envelope.string() + " --attachments-dir " + attachments.string());
  ASSERT_EQ(opened.exit_code, 0) << opened.err;
  const auto report = boost::json::parse(opened.out);
  EXPECT_EQ(report.at("category"), "embezzlement");
  EXPECT_EQ(report.at("accused_level"), "village");
  EXPECT_EQ(report.at("body").at("text").as_string(), text);
  EXPECT_EQ(read_file(attachments / "photo.jpg"), photo);

  const CommandRun wrong_key =
      clueline("open --secret-key-file " + (directory_ / "other.key").string() + " --in " +
               envelope.string());
  EXPECT_EQ(wrong_key.exit_code, 1);
  EXPECT_EQ(wrong_key.out, "");
}

// Acceptance (routing): a policy file that is invalid, on its own or for
// the stored unit tree, stops start-up with a message naming the problem.
// `timeout` turns a server that wrongly starts into a failure, not a hang.
TEST_F(CliTest, ServeRefusesAnInvalidRoutingPolicy) {
  const fs::path data = directory_ / "demo";
  ASSERT_EQ(clueline("demo --setup-only --data-dir " + data.string()).exit_code, 0);
  const auto serve_with_policy = [&](const std::string& policy) {
    std::ofstream(directory_ / "policy.toml") << policy;
    std::ofstream(directory_ / "clueline.toml")
        << "[server]\naddress = \"127.0.0.1\"\nport = 0\ntls_certificate = \""
        << (data / "demo-cert.pem").string() << "\"\ntls_private_key = \""
        << (data / "demo-key.pem").string() << "\"\n[ops]\nport = 0\n[storage]\ndata_dir = \""
        << data.string() << "\"\n[routing]\npolicy_file = \""
        << (directory_ / "policy.toml").string() << "\"\n";
    const std::string command = "timeout 20 " + std::string(CLUELINE_BINARY) + " serve --config " +
                                (directory_ / "clueline.toml").string();
    const auto err = directory_ / "stderr";
    const int status = std::system((command + " >/dev/null 2>" + err.string()).c_str());
    return CommandRun{WIFEXITED(status) ? WEXITSTATUS(status) : -1, "", read_file(err)};
  };

  const auto unknown_key = serve_with_policy("colour = \"red\"\n");
  EXPECT_EQ(unknown_key.exit_code, 2);
  EXPECT_NE(unknown_key.err.find("policy.toml: colour: unknown key"), std::string::npos)
      << unknown_key.err;

  const auto unknown_level =
      serve_with_policy("[overrides.protective_umbrella]\nminimum_level = \"prefecture\"\n");
  EXPECT_EQ(unknown_level.exit_code, 2);
  EXPECT_NE(unknown_level.err.find("minimum_level: unknown level \"prefecture\""),
            std::string::npos)
      << unknown_level.err;

  // Demo units: 4 Dongshan Township with villages 6 and 7, which have no keys.
  const auto keyless_target =
      serve_with_policy("[[cross_jurisdiction]]\nparent = 4\nrecusing = 6\nhandler = 7\n");
  EXPECT_EQ(keyless_target.exit_code, 1);
  EXPECT_NE(keyless_target.err.find("cross_jurisdiction[0].handler: unit 7 (Nanshan Village, "
                                    "village) has no current key and cannot receive clues"),
            std::string::npos)
      << keyless_target.err;

  // A ladder the stored units do not fit.
  const auto other_levels = serve_with_policy("levels = [\"state\", \"district\"]\n");
  EXPECT_EQ(other_levels.exit_code, 1);
  EXPECT_NE(other_levels.err.find("does not fit the routing policy's levels: unit 1 (Demo "
                                  "Province, province): unknown level \"province\""),
            std::string::npos)
      << other_levels.err;

  // The same policy file drives route explain, as text and as JSON.
  const std::string explain = "route explain --data-dir " + data.string() +
                              " --site 1 --category protective_umbrella --accused-level village";
  const auto explained = run_clueline(directory_, explain);
  ASSERT_EQ(explained.exit_code, 0) << explained.err;
  EXPECT_NE(explained.out.find("goes to unit 3 (Demo County, county)"), std::string::npos)
      << explained.out;
  EXPECT_NE(explained.out.find("2. [category_minimum]"), std::string::npos) << explained.out;
  const auto as_json = clueline(explain);
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const auto decision = boost::json::parse(as_json.out);
  EXPECT_EQ(decision.at("unit_id"), 3);
  EXPECT_EQ(decision.at("steps").at(1).at("rule"), "category_minimum");
}

}  // namespace
}  // namespace clueline::testing
