// Supervisors working a clue through the real binary over TLS: a report at
// a village site reaches the township's queue; the township opens it (the
// exact text, both attachments of the same name kept) and sits on it; after
// the deadline (deadlines run --at, server stopped) the county finds it
// escalated, reads it (the report was sealed to it too), takes it over and
// replies; the reporter reads the reply and the new status with the receipt
// and writes back; the county reads the message and closes the clue; the
// township no longer sees it;
// the audit log is intact and holds every step.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <set>
#include <string>

#include "clueline/common/utc_time.hpp"
#include "clueline/crypto/crypto.hpp"
#include "deployment_fixture.hpp"
#include "server_process.hpp"

namespace clueline::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr std::string_view kFastKdf = " --kdf-opslimit 1 --kdf-memlimit 65536";

class ClueCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        fs::temp_directory_path() / ("clueline-clue-cli-" + std::to_string(std::random_device{}()));
    create_data_dir(directory_ / "data");
    deployment_ = write_test_deployment(directory_ / "data");
    for (const std::string level : {"township", "county"}) {
      std::ofstream(directory_ / (level + ".key"))
          << crypto::to_base64url(deployment_.unit_keys.at(level).secret_key.bytes()) << "\n";
      std::ofstream(directory_ / (level + "-pass.txt")) << "the " << level << " passphrase\n";
    }
    std::ofstream(directory_ / "site-signing.key")
        << crypto::to_base64url(deployment_.site_signing.secret_key.bytes()) << "\n";
  }
  void TearDown() override {
    server_.reset();
    ::unsetenv("CLUELINE_SESSION_FILE");
    fs::remove_all(directory_);
  }

  std::string file(const std::string& name) const { return (directory_ / name).string(); }
  std::string data() const { return " --data-dir " + file("data"); }

  // As `person` (a session file of their own), with --json.
  CommandRun as(const std::string& person, const std::string& arguments) {
    ::setenv("CLUELINE_SESSION_FILE", file(person + "-session.json").c_str(), 1);
    return run_clueline_json(directory_, arguments);
  }
  json::object as_json(const std::string& person, const std::string& arguments) {
    const CommandRun run = as(person, arguments);
    EXPECT_EQ(run.exit_code, 0) << arguments << ": " << run.err;
    return run.exit_code == 0 ? json::parse(run.out).as_object() : json::object{};
  }
  // A handler account `who` of unit `unit_id`, holding the key in who.key.
  void add_handler(const std::string& who, std::uint32_t unit_id) {
    const CommandRun added = as(
        who, "account add" + data() + " --name " + who + ".handler --unit " +
                 std::to_string(unit_id) + " --role handler --unit-key-file " + file(who + ".key") +
                 " --passphrase-file " + file(who + "-pass.txt") + std::string(kFastKdf));
    ASSERT_EQ(added.exit_code, 0) << added.err;
  }
  void add_handler(const std::string& level) { add_handler(level, deployment_.unit_ids.at(level)); }
  // A new receiving unit `who` below `parent`, its key in who.key; its id.
  std::uint32_t add_unit(const std::string& who, const std::string& level, std::uint32_t parent) {
    const CommandRun keys =
        as("operator", "keygen unit --out-dir " + file("keys") + " --name " + who);
    EXPECT_EQ(keys.exit_code, 0) << keys.err;
    fs::copy_file(directory_ / "keys" / (who + ".key"), directory_ / (who + ".key"));
    std::ofstream(directory_ / (who + "-pass.txt")) << "the " << who << " passphrase\n";
    const json::object unit = as_json(
        "operator", "unit add" + data() + " --name " + who + " --level " + level + " --parent " +
                        std::to_string(parent) + " --public-key " + file("keys/" + who + ".pub") +
                        " --signing-key " + file("site-signing.key"));
    return unit.at("id").to_number<std::uint32_t>();
  }
  void start(const std::string& extra_config = {}) {
    server_.emplace("ClueCli",
                    ServerOptions{.extra_config = "[pow]\ndifficulty = 8\n" + extra_config,
                                  .data_dir = directory_ / "data"});
    url_ = "https://localhost:" + std::to_string(server_->public_port());
    tls_ = " --server " + url_ + " --ca-file " + server_->certificate().string();
  }
  void stop() {
    ASSERT_EQ(server_->terminate(std::chrono::seconds(20)), 0);
    server_.reset();
  }
  void login(const std::string& who) {
    const CommandRun run = as(who, "login" + tls_ + " --account " + who +
                                       ".handler --passphrase-file " + file(who + "-pass.txt"));
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  // With the server stopped: the audit log verifies, and the actions of its
  // entries about clue `id`.
  std::multiset<std::string> audited_actions(const std::string& id) {
    EXPECT_EQ(as("operator", "audit verify" + data()).exit_code, 0);
    std::multiset<std::string> actions;
    for (const json::value& entry :
         json_lines(as("operator", "audit list --limit 1000" + data()).out)) {
      if (entry.at("object").as_string() == "clue:" + id) {
        actions.insert(std::string(entry.at("action").as_string()));
      }
    }
    return actions;
  }
  std::string submit(const std::string& text, const std::string& accused_level) {
    std::ofstream(directory_ / "report.txt", std::ios::trunc) << text;
    const json::object submitted =
        as_json("reporter", "submit" + tls_ + " --token " + deployment_.site_token +
                                " --category bribery --accused-level " + accused_level +
                                " --text-file " + file("report.txt"));
    return std::string(submitted.at("clue_id").as_string());
  }

  fs::path directory_;
  TestDeployment deployment_;
  std::optional<ServerProcess> server_;
  std::string url_;
  std::string tls_;
};

TEST_F(ClueCliTest, TheTownshipSitsOnAClueAndTheCountyTakesItOverAndClosesIt) {
  add_handler("township");
  add_handler("county");
  start();

  // ---- a reporter at the village board, with two photos both named image.jpg
  const std::string text = "村长收取建房审批费 marker-5eed";
  std::ofstream(directory_ / "report.txt") << text;
  for (const std::string folder : {"one", "two"}) {
    fs::create_directories(directory_ / folder);
    std::ofstream(directory_ / folder / "image.jpg") << "photo from " << folder;
  }
  const json::object submitted =
      as_json("reporter", "submit" + tls_ + " --token " + deployment_.site_token +
                              " --category bribery --accused-level village --text-file " +
                              file("report.txt") + " --attach " + file("one/image.jpg") +
                              " --attach " + file("two/image.jpg"));
  const std::string id(submitted.at("clue_id").as_string());
  const std::string acknowledge_by(submitted.at("acknowledge_by").as_string());
  const std::string receipt(submitted.at("receipt").as_string());

  // ---- the township finds it in its queue and opens it, decrypted here
  login("township");
  const CommandRun queue = as("township", "queue --server " + url_);
  ASSERT_EQ(queue.exit_code, 0) << queue.err;
  const json::array listed = json_lines(queue.out);
  ASSERT_EQ(listed.size(), 1u) << queue.out;
  EXPECT_EQ(listed[0].at("clue_id").as_string(), id);
  EXPECT_EQ(listed[0].at("relation"), "handling");
  EXPECT_EQ(listed[0].at("status"), "received");
  // The same queue as a table for people.
  ::setenv("CLUELINE_SESSION_FILE", file("township-session.json").c_str(), 1);
  const CommandRun table = run_clueline(directory_, "queue --server " + url_);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_TRUE(table.out.starts_with("clue ")) << table.out;
  EXPECT_NE(table.out.find(id), std::string::npos) << table.out;

  const json::object opened =
      as_json("township", "open " + id + " --passphrase-file " + file("township-pass.txt") +
                              " --attachments-dir " + file("opened"));
  EXPECT_EQ(opened.at("body").at("text").as_string(), text);
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(directory_ / "opened")) {
    names.insert(entry.path().filename().string());
    struct stat info {};
    ASSERT_EQ(::stat(entry.path().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u) << entry.path();
  }
  EXPECT_EQ(names, (std::set<std::string>{"image.jpg", "image (2).jpg"}));
  EXPECT_EQ(read_file(directory_ / "opened" / "image.jpg"), "photo from one");
  EXPECT_EQ(read_file(directory_ / "opened" / "image (2).jpg"), "photo from two");
  // Not acknowledged: investigating first is refused, saying why.
  const CommandRun early = as("township", "investigate " + id);
  EXPECT_EQ(early.exit_code, 1);
  EXPECT_NE(early.err.find("409"), std::string::npos) << early.err;
  EXPECT_NE(early.err.find("acknowledge it first"), std::string::npos) << early.err;

  // ---- nobody acknowledges; a day after the deadline the county sees it
  stop();
  const auto deadline = parse_utc_text(acknowledge_by);
  ASSERT_TRUE(deadline) << acknowledge_by;
  const CommandRun pass =
      as("operator", "deadlines run" + data() + " --at " + utc_text(*deadline + 86'400));
  ASSERT_EQ(pass.exit_code, 0) << pass.err;
  EXPECT_EQ(json::parse(pass.out).at("escalations"), 1) << pass.out;
  start();
  login("county");
  const CommandRun county_queue = as("county", "queue --escalated --server " + url_);
  ASSERT_EQ(county_queue.exit_code, 0) << county_queue.err;
  const json::array escalated = json_lines(county_queue.out);
  ASSERT_EQ(escalated.size(), 1u) << county_queue.out;
  EXPECT_EQ(escalated[0].at("relation"), "escalated");
  // The report was sealed to the county too (routing.sealed_levels_above):
  // it reads the clue without the township re-sealing anything.
  const json::object county_opened =
      as_json("county", "open " + id + " --passphrase-file " + file("county-pass.txt"));
  EXPECT_EQ(county_opened.at("body").at("text").as_string(), text);
  EXPECT_EQ(county_opened.at("relation").as_string(), "escalated");
  // Seeing it is not handling it.
  const CommandRun not_yet = as("county", "ack " + id);
  EXPECT_EQ(not_yet.exit_code, 1);
  EXPECT_NE(not_yet.err.find("403"), std::string::npos) << not_yet.err;

  const json::object taken = as_json("county", "take-over " + id);
  EXPECT_EQ(taken.at("unit_id"), deployment_.unit_ids.at("county"));
  EXPECT_EQ(taken.at("status"), "acknowledged");
  EXPECT_EQ(as_json("county", "investigate " + id).at("status"), "investigating");

  // ---- the county replies; the reporter reads it with the receipt alone
  const std::string answer = "县纪委已受理，请补充时间地点 marker-r3p1y";
  const json::object replied = as_json("county", "reply " + id + " --text '" + answer + "'");
  EXPECT_EQ(replied.at("seq"), 1);
  const std::string followup =
      "followup" + tls_ + " --receipt " + receipt + " --token " + deployment_.site_token;
  const json::object status = as_json("reporter", followup);
  EXPECT_EQ(status.at("status"), "investigating");
  EXPECT_EQ(status.at("unit").at("id"), deployment_.unit_ids.at("county"));
  ASSERT_EQ(status.at("replies").as_array().size(), 1u) << json::serialize(status);
  EXPECT_EQ(status.at("replies").at(0).at("text").as_string(), answer);
  // What happened, in plain words, naming units and never a person. (The
  // escalation pass ran at an injected later time, so its step sorts last.)
  std::multiset<std::string> happened;
  for (const json::value& step : status.at("history").as_array()) {
    happened.emplace(step.at("event").as_string());
  }
  EXPECT_EQ(happened, (std::multiset<std::string>{"received", "escalated", "taken_over",
                                                  "investigating", "replied"}))
      << json::serialize(status.at("history"));
  const std::string told = json::serialize(status.at("history"));
  EXPECT_NE(told.find("Test county took your report over from Test township"), std::string::npos)
      << told;
  EXPECT_EQ(told.find("handler"), std::string::npos) << "never an account: " << told;
  // The reporter writes back, sealed to the county that handles it now.
  const std::string more = "时间是九月三日下午 marker-m0re";
  const json::object wrote = as_json("reporter", followup + " --message '" + more + "'");
  EXPECT_EQ(wrote.at("message_sent").at("seq"), 1) << json::serialize(wrote);
  const CommandRun notes =
      as("county", "messages " + id + " --passphrase-file " + file("county-pass.txt"));
  ASSERT_EQ(notes.exit_code, 0) << notes.err;
  const json::array read_back = json_lines(notes.out);
  ASSERT_EQ(read_back.size(), 2u) << notes.out;
  std::set<std::string> texts;
  for (const json::value& note : read_back) texts.insert(std::string(note.at("text").as_string()));
  EXPECT_EQ(texts.count(more), 1u) << notes.out;
  EXPECT_EQ(texts.count("(sealed to the reporter)"), 1u) << notes.out;
  // One more photo, sent later: uploaded after the report's two, its key in
  // the sealed message, decrypted by the county's open.
  std::ofstream(directory_ / "later.jpg") << "a photo taken later";
  const json::object attached =
      as_json("reporter", followup + " --message 'the gate, later' --attach " + file("later.jpg"));
  EXPECT_EQ(attached.at("message_sent").at("seq"), 2) << json::serialize(attached);
  const CommandRun with_file =
      as("county", "messages " + id + " --passphrase-file " + file("county-pass.txt"));
  ASSERT_EQ(with_file.exit_code, 0) << with_file.err;
  EXPECT_NE(with_file.out.find("the gate, later\\n[file: later.jpg]"), std::string::npos)
      << with_file.out;
  const json::object reopened =
      as_json("county", "open " + id + " --passphrase-file " + file("county-pass.txt") +
                            " --attachments-dir " + file("county-opened"));
  EXPECT_EQ(reopened.at("attachments_written").as_array().size(), 3u) << json::serialize(reopened);
  EXPECT_EQ(read_file(directory_ / "county-opened" / "later.jpg"), "a photo taken later");
  const json::object closed = as_json("county", "close " + id + " --outcome substantiated");
  EXPECT_EQ(closed.at("status"), "closed");
  EXPECT_EQ(closed.at("outcome"), "substantiated");
  const json::object final_status = as_json("reporter", followup);
  EXPECT_EQ(final_status.at("status"), "closed");
  EXPECT_EQ(final_status.at("outcome"), "substantiated");
  EXPECT_NE(json::serialize(final_status.at("history"))
                .find("Test county closed the case: the report was found to be true."),
            std::string::npos);

  // ---- the hot spot shows in the county's counts, without opening anything
  const CommandRun counts = as("county", "stats --by site");
  ASSERT_EQ(counts.exit_code, 0) << counts.err;
  const json::array rows = json_lines(counts.out);
  ASSERT_EQ(rows.size(), 2u) << counts.out;
  EXPECT_EQ(rows[0].at("value").as_string(), std::to_string(deployment_.site_id));
  EXPECT_EQ(rows[0].at("clues"), 1);
  EXPECT_EQ(rows[0].at("escalated"), 1) << "it missed the township's deadline";
  EXPECT_EQ(rows[0].at("overdue"), 0) << "closed since";
  EXPECT_EQ(rows[1].at("value"), "total");
  ::setenv("CLUELINE_SESSION_FILE", file("county-session.json").c_str(), 1);
  const CommandRun csv = run_clueline(directory_, "stats --by category --csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out, "category,label,clues,escalated,overdue\r\nbribery,\"bribery\",1,1,0\r\n");
  // The township it moved away from counts nothing now.

  // ---- the township no longer sees it at all
  login("township");
  const CommandRun gone = as("township", "ack " + id);
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_NE(gone.err.find("404"), std::string::npos) << gone.err;
  EXPECT_TRUE(json_lines(as("township", "queue --server " + url_).out).empty());
  const json::array township_rows = json_lines(as("township", "stats").out);
  ASSERT_EQ(township_rows.size(), 1u);
  EXPECT_EQ(township_rows[0].at("clues"), 0) << "only the total row, empty";

  // ---- every step is in the intact audit log
  stop();
  const std::multiset<std::string> actions = audited_actions(id);
  for (const std::string action : {"clue.route", "clue.escalate", "clue.take_over",
                                   "clue.investigate", "clue.reply", "clue.close"}) {
    EXPECT_EQ(actions.count(action), 1u) << action;
  }
  EXPECT_EQ(actions.count("clue.open"), 6u)
      << "the township's open, the county's open, reply and messages, then its messages and "
         "open for the later file";
}

// Check 4 of the clue lifecycle: the township recuses itself and the clue
// goes to the peer township its county designated, which was not among the
// report's recipients: the key is sealed again on the township's machine
// and the peer opens the exact text. The peer transfers it to a county of
// another branch (again re-sealed), which opens it. A transfer below the
// policy's minimum is refused and changes nothing.
TEST_F(ClueCliTest, RecusalThroughADesignationAndATransferReachUnitsOutsideTheRecipients) {
  const std::uint32_t county = deployment_.unit_ids.at("county");
  const std::uint32_t peer = add_unit("peer", "township", county);
  const std::uint32_t far = add_unit("far", "county", deployment_.unit_ids.at("city"));
  std::ofstream(directory_ / "policy.toml")
      << "[[cross_jurisdiction]]\nparent = " << county << "\nhandler = " << peer << "\n";
  add_handler("township");
  add_handler("county");
  add_handler("peer", peer);
  add_handler("far", far);
  start("[routing]\npolicy_file = \"" + file("policy.toml") + "\"\n");

  const std::string text = "乡长的亲属承包了村道工程 marker-r3cu5e";
  const std::string id = submit(text, "village");
  login("township");
  const json::object recused = as_json(
      "township", "recuse " + id + " --reason 'the accused is our head' --passphrase-file " +
                      file("township-pass.txt"));
  EXPECT_EQ(recused.at("unit_id"), peer);
  EXPECT_EQ(recused.at("status"), "received");
  const CommandRun gone =
      as("township", "open " + id + " --passphrase-file " + file("township-pass.txt"));
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_NE(gone.err.find("404"), std::string::npos) << gone.err;

  login("peer");
  const json::object opened =
      as_json("peer", "open " + id + " --passphrase-file " + file("peer-pass.txt"));
  EXPECT_EQ(opened.at("body").at("text").as_string(), text);
  // What open offers as transfer targets is what transfer accepts: the far
  // county, never the township that recused.
  const json::array& targets = opened.at("transfer_targets").as_array();
  EXPECT_NE(std::find(targets.begin(), targets.end(), json::value(static_cast<std::int64_t>(far))),
            targets.end());
  EXPECT_EQ(std::find(targets.begin(), targets.end(),
                      json::value(static_cast<std::int64_t>(deployment_.unit_ids.at("township")))),
            targets.end());
  // Back to the township that recused: never.
  const CommandRun back =
      as("peer", "transfer " + id + " --to " + std::to_string(deployment_.unit_ids.at("township")) +
                     " --reason 'not ours' --passphrase-file " + file("peer-pass.txt"));
  EXPECT_EQ(back.exit_code, 1);
  EXPECT_NE(back.err.find("403"), std::string::npos) << back.err;
  const json::object moved =
      as_json("peer", "transfer " + id + " --to " + std::to_string(far) +
                          " --reason 'the project is run from the other county' "
                          "--passphrase-file " +
                          file("peer-pass.txt"));
  EXPECT_EQ(moved.at("unit_id"), far);
  login("far");
  const json::object far_opened =
      as_json("far", "open " + id + " --passphrase-file " + file("far-pass.txt"));
  EXPECT_EQ(far_opened.at("body").at("text").as_string(), text);

  // A township cadre: the county handles it, and may not hand it down.
  const std::string higher = submit("镇长挪用救灾款 marker-h1gh", "township");
  stop();
  const Snapshot before = snapshot(directory_ / "data");
  start("[routing]\npolicy_file = \"" + file("policy.toml") + "\"\n");
  login("county");
  const CommandRun down =
      as("county", "transfer " + higher + " --to " + std::to_string(peer) +
                       " --reason 'too busy' --passphrase-file " + file("county-pass.txt"));
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.err.find("403"), std::string::npos) << down.err;
  EXPECT_NE(down.err.find("county level or above"), std::string::npos) << down.err;
  stop();
  Snapshot after = snapshot(directory_ / "data");
  // Signing in again wrote its own audit entry and session; the clue's
  // records and indexes are as they were.
  for (const auto& [key, value] : before) {
    if (key.first == static_cast<int>(storage::Family::kClues) ||
        key.first == static_cast<int>(storage::Family::kQueue) ||
        key.first == static_cast<int>(storage::Family::kDeadlines)) {
      EXPECT_EQ(after[key], value);
    }
  }

  // Every move is in the intact audit log.
  const std::multiset<std::string> actions = audited_actions(id);
  EXPECT_EQ(actions.count("clue.recuse"), 1u);
  EXPECT_EQ(actions.count("clue.transfer"), 1u);
}

}  // namespace
}  // namespace clueline::testing
