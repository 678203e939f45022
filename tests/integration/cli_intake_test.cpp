// The reference client against the real server: `clueline submit --server`
// (route, proof of work, sealing, attachment upload), `clueline followup`
// with the receipt, and `clueline open --data-dir` with the unit's key.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <boost/json/parse.hpp>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "deployment_fixture.hpp"
#include "https_client.hpp"
#include "server_process.hpp"

namespace clueline::testing {
namespace {

namespace fs = std::filesystem;

class CliIntakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("clueline-cli-intake-" + std::to_string(std::random_device{}()));
    create_data_dir(directory_ / "data");
    deployment_ = write_test_deployment(directory_ / "data");
  }
  void TearDown() override { fs::remove_all(directory_); }

  CommandRun clueline(const std::string& arguments) {
    return run_clueline_json(directory_, arguments);
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

  // A self-signed server without --ca-file: refused, saying what to give.
  const CommandRun untrusted = clueline("submit --server " + url + " --token " +
                                        deployment_.site_token + " --category bribery --text x");
  EXPECT_EQ(untrusted.exit_code, 1);
  EXPECT_NE(untrusted.err.find("certificate verify failed"), std::string::npos) << untrusted.err;
  EXPECT_NE(untrusted.err.find("--ca-file PEM"), std::string::npos) << untrusted.err;

  const std::string text = "乡长虚报工程款 marker-3c0ffee1";
  std::ofstream(directory_ / "report.txt") << text;
  std::string photo(200000, '\0');
  for (std::size_t i = 0; i < photo.size(); ++i) photo[i] = static_cast<char>((i * 7919) % 253);
  std::ofstream(directory_ / "photo.jpg", std::ios::binary) << photo;

  const CommandRun submitted = clueline("submit" + tls + " --token " + deployment_.site_token +
                                        " --category bribery --accused-level village --text-file " +
                                        (directory_ / "report.txt").string() + " --attach " +
                                        (directory_ / "photo.jpg").string());
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  const auto receipt_answer = boost::json::parse(submitted.out).as_object();
  const std::string receipt(receipt_answer.at("receipt").as_string());
  const std::string clue_id(receipt_answer.at("clue_id").as_string());
  EXPECT_TRUE(std::regex_match(receipt, std::regex(R"(\d{5}(-\d{5}){4})"))) << receipt;
  EXPECT_EQ(receipt_answer.at("attachments").as_int64(), 1);

  const CommandRun followed =
      clueline("followup" + tls + " --receipt " + receipt + " --token " + deployment_.site_token);
  ASSERT_EQ(followed.exit_code, 0) << followed.err;
  const auto status = boost::json::parse(followed.out).as_object();
  EXPECT_EQ(status.at("clue_id").as_string(), clue_id);
  EXPECT_EQ(status.at("status"), "received");
  EXPECT_EQ(status.at("attachments").at(0).at("complete"), true);

  // A receipt with one digit changed finds nothing.
  std::string wrong = receipt;
  wrong[0] = wrong[0] == '9' ? '8' : static_cast<char>(wrong[0] + 1);
  const CommandRun unknown =
      clueline("followup" + tls + " --receipt " + wrong + " --token " + deployment_.site_token);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("404"), std::string::npos) << unknown.err;

  ASSERT_EQ(server->terminate(std::chrono::seconds(10)), 0) << server->stderr_text();
  const std::string access_log = server->access_log_text();
  server.reset();

  // The township's key opens the stored clue to the exact text and file.
  const auto key_file = directory_ / "township.key";
  std::ofstream(key_file) << crypto::to_base64url(
                                 deployment_.unit_keys.at("township").secret_key.bytes())
                          << "\n";
  const CommandRun opened =
      clueline("open --secret-key-file " + key_file.string() + " --data-dir " +
               (directory_ / "data").string() + " --clue " + clue_id + " --attachments-dir " +
               (directory_ / "opened").string());
  ASSERT_EQ(opened.exit_code, 0) << opened.err;
  const auto report = boost::json::parse(opened.out).as_object();
  EXPECT_EQ(report.at("body").at("text").as_string(), text);
  EXPECT_EQ(read_file(directory_ / "opened" / "photo.jpg"), photo);

  // The county's key opens it too: the report is sealed to the units it
  // escalates to (routing.sealed_levels_above). A key of no unit does not.
  const auto county_key = directory_ / "county.key";
  std::ofstream(county_key) << crypto::to_base64url(
                                   deployment_.unit_keys.at("county").secret_key.bytes())
                            << "\n";
  EXPECT_EQ(clueline("open --secret-key-file " + county_key.string() + " --data-dir " +
                     (directory_ / "data").string() + " --clue " + clue_id)
                .exit_code,
            0);
  const auto stranger_key = directory_ / "stranger.key";
  std::ofstream(stranger_key) << crypto::to_base64url(
                                     crypto::generate_box_key_pair().secret_key.bytes())
                              << "\n";
  EXPECT_EQ(clueline("open --secret-key-file " + stranger_key.string() + " --data-dir " +
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

// The queue lines of `unit` as JSON objects.
std::vector<boost::json::object> queue_of(const CommandRun& run) {
  std::vector<boost::json::object> lines;
  std::istringstream in(run.out);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(boost::json::parse(line).as_object());
  }
  return lines;
}

TEST_F(CliIntakeTest, AnUnacknowledgedClueEscalatesToTheCountyThenTheCityWithAuditEntries) {
  std::optional<ServerProcess> server;
  server.emplace("CliIntake.Escalation", ServerOptions{.extra_config = "[pow]\ndifficulty = 8\n",
                                                       .data_dir = directory_ / "data"});
  const std::string tls = " --server https://localhost:" + std::to_string(server->public_port()) +
                          " --ca-file " + server->certificate().string();
  const CommandRun submitted = clueline("submit" + tls + " --token " + deployment_.site_token +
                                        " --category bribery --accused-level village --text x");
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  const std::string clue_id(boost::json::parse(submitted.out).at("clue_id").as_string());
  ASSERT_EQ(server->terminate(std::chrono::seconds(10)), 0) << server->stderr_text();
  server.reset();

  const std::string data = " --data-dir " + (directory_ / "data").string();
  const auto queue = [&](const std::string& level) {
    const CommandRun run =
        clueline("queue --unit " + std::to_string(deployment_.unit_ids.at(level)) + data);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return queue_of(run);
  };
  const auto township = queue("township");
  ASSERT_EQ(township.size(), 1u);
  EXPECT_EQ(township[0].at("clue_id").as_string(), clue_id);
  EXPECT_EQ(township[0].at("relation").as_string(), "handling");
  EXPECT_EQ(township[0].at("status").as_string(), "received");
  const std::string acknowledge_by(township[0].at("acknowledge_by").as_string());
  EXPECT_EQ(township[0].at("next_check_at").as_string(), acknowledge_by);
  EXPECT_TRUE(queue("county").empty());

  // The fake clock of `deadlines run --at`: a minute before the deadline
  // nothing is due; a minute after it the county sees the clue.
  const auto shifted = [](const std::string& time, int seconds) {
    std::tm parts{};
    strptime(time.c_str(), "%Y-%m-%dT%H:%M:%SZ", &parts);
    const std::time_t at = timegm(&parts) + seconds;
    std::tm utc{};
    gmtime_r(&at, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return std::string(text);
  };
  CommandRun pass = clueline("deadlines run --at " + shifted(acknowledge_by, -60) + data);
  ASSERT_EQ(pass.exit_code, 0) << pass.err;
  EXPECT_EQ(boost::json::parse(pass.out).at("due").as_int64(), 0);
  EXPECT_TRUE(queue("county").empty());

  pass = clueline("deadlines run --at " + shifted(acknowledge_by, 60) + data);
  ASSERT_EQ(pass.exit_code, 0) << pass.err;
  EXPECT_EQ(boost::json::parse(pass.out).at("escalations").as_int64(), 1);
  const auto county = queue("county");
  ASSERT_EQ(county.size(), 1u);
  EXPECT_EQ(county[0].at("clue_id").as_string(), clue_id);
  EXPECT_EQ(county[0].at("relation").as_string(), "escalated");
  EXPECT_EQ(county[0].at("unit_id").as_int64(), deployment_.unit_ids.at("township"));
  const auto& escalation = county[0].at("escalations").at(0).as_object();
  EXPECT_EQ(escalation.at("unit_id").as_int64(), deployment_.unit_ids.at("county"));
  EXPECT_EQ(escalation.at("reason").as_string(), "acknowledge_overdue");
  EXPECT_EQ(escalation.at("deadline").as_string(), acknowledge_by);
  EXPECT_TRUE(queue("city").empty());
  EXPECT_EQ(queue("township").at(0).at("relation").as_string(), "handling");

  // The next check is when the city is due; then the city sees it too.
  const std::string city_due(county[0].at("next_check_at").as_string());
  EXPECT_GT(city_due, acknowledge_by);
  pass = clueline("deadlines run --at " + shifted(city_due, -1) + data);
  EXPECT_EQ(boost::json::parse(pass.out).at("escalations").as_int64(), 0);
  EXPECT_TRUE(queue("city").empty());
  pass = clueline("deadlines run --at " + city_due + data);
  ASSERT_EQ(pass.exit_code, 0) << pass.err;
  EXPECT_EQ(boost::json::parse(pass.out).at("escalations").as_int64(), 1);
  const auto city = queue("city");
  ASSERT_EQ(city.size(), 1u);
  EXPECT_EQ(city[0].at("relation").as_string(), "escalated");
  EXPECT_EQ(queue("county").size(), 1u);
  EXPECT_TRUE(queue("province").empty());

  // The audit log, chained and intact: the registry changes that set up the
  // deployment, then the routing decision at intake and the two escalations.
  const CommandRun verified = clueline("audit verify" + data);
  ASSERT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  const auto verification = boost::json::parse(verified.out).as_object();
  EXPECT_EQ(verification.at("intact").as_bool(), true);
  const CommandRun listed = clueline("audit list" + data);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto all = queue_of(listed);
  EXPECT_EQ(verification.at("entries").as_int64(), static_cast<std::int64_t>(all.size()));
  std::vector<std::string> registry_actions;
  std::vector<boost::json::object> entries;
  for (const auto& entry : all) {
    if (entry.at("actor").as_string() == "operator:cli") {
      registry_actions.emplace_back(entry.at("action").as_string());
    } else {
      entries.push_back(entry);
    }
  }
  // Each keyed unit is added, then given its key with the certificate that
  // names the id adding it assigned.
  EXPECT_EQ(registry_actions,
            (std::vector<std::string>{"deployment.save", "unit.add", "unit.add_key", "unit.add",
                                      "unit.add_key", "unit.add", "unit.add_key", "unit.add",
                                      "unit.add_key", "unit.add", "site.add", "site.add",
                                      "site.revoke"}));
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].at("action").as_string(), "clue.route");
  EXPECT_EQ(entries[0].at("actor").as_string(), "system:intake");
  EXPECT_EQ(entries[0].at("object").as_string(), "clue:" + clue_id);
  const auto routed = boost::json::parse(entries[0].at("detail").as_string()).as_object();
  EXPECT_EQ(routed.at("unit_id").as_int64(), deployment_.unit_ids.at("township"));
  EXPECT_EQ(routed.at("rules").at(0).as_string(), "graded_jurisdiction");
  const std::string levels[] = {"county", "city"};
  for (std::size_t i = 1; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].at("action").as_string(), "clue.escalate");
    EXPECT_EQ(entries[i].at("actor").as_string(), "system:escalation");
    EXPECT_EQ(entries[i].at("object").as_string(), "clue:" + clue_id);
    const auto detail = boost::json::parse(entries[i].at("detail").as_string()).as_object();
    EXPECT_EQ(detail.at("unit_id").as_int64(), deployment_.unit_ids.at(levels[i - 1]));
  }
}

TEST_F(CliIntakeTest, TheServerEscalatesCluesThatAreOverdueWhenItStarts) {
  // A clue received two years ago and never acknowledged, written as intake
  // writes it: the server's job must show it all the way up on its own.
  const auto data_dir = directory_ / "data";
  storage::Clue clue;
  clue.id[0] = std::byte{0x42};
  clue.site_id = deployment_.site_id;
  clue.received_at = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count() -
                     2 * 365 * 86'400;
  clue.category = "bribery";
  clue.accused_level = "village";
  clue.unit_id = deployment_.unit_ids.at("township");
  clue.acknowledge_by = clue.received_at + 15 * 86'400;
  clue.handle_by = clue.received_at + 90 * 86'400;
  clue.next_check_at = clue.acknowledge_by;
  {
    auto store =
        storage::Store::open({.directory = data_dir / "rocksdb", .create_if_missing = false});
    ASSERT_TRUE(store.has_value());
    std::vector<storage::Mutation> batch{
        {storage::Family::kClues, storage::clue_key(clue.id), storage::encode(clue)}};
    for (auto& mutation : storage::index_mutations(nullptr, clue)) batch.push_back(mutation);
    ASSERT_TRUE((*store)->write(batch).has_value());
  }

  std::optional<ServerProcess> server;
  server.emplace("CliIntake.ServerEscalation", ServerOptions{.data_dir = data_dir});
  // The job's first pass runs at start-up, on its own thread.
  std::string metrics;
  for (int i = 0; i < 200; ++i) {
    metrics = plain_get(server->ops_port(), "/metrics").body();
    if (metrics.find("\nclueline_escalations_total 3\n") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(metrics.find("\nclueline_escalations_total 3\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("\nclueline_escalation_passes_total 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("\nclueline_escalation_failures_total 0\n"), std::string::npos) << metrics;
  ASSERT_EQ(server->terminate(std::chrono::seconds(10)), 0) << server->stderr_text();
  server.reset();

  for (const std::string level : {"county", "city", "province"}) {
    const CommandRun run =
        clueline("queue --unit " + std::to_string(deployment_.unit_ids.at(level)) + " --data-dir " +
                 data_dir.string());
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto lines = queue_of(run);
    ASSERT_EQ(lines.size(), 1u) << level;
    EXPECT_EQ(lines[0].at("relation").as_string(), "escalated") << level;
    EXPECT_TRUE(lines[0].at("next_check_at").is_null()) << "visible all the way up";
  }
  const CommandRun verified = clueline("audit verify --data-dir " + data_dir.string());
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  // Thirteen registry changes of the deployment (four of them keys), then
  // the three escalations.
  EXPECT_EQ(boost::json::parse(verified.out).at("entries").as_int64(), 13 + 3);
}

}  // namespace
}  // namespace clueline::testing
