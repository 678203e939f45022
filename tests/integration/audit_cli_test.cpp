// `clueline audit verify|list|checkpoint` through the real binary, against a
// database in a temporary data directory that the test also opens directly
// (server stopped) to append and to tamper.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <boost/algorithm/hex.hpp>
#include <boost/json/parse.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "clueline/crypto/crypto.hpp"
#include "clueline/storage/audit.hpp"
#include "clueline/storage/store.hpp"
#include "server_process.hpp"

namespace clueline::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using storage::AuditEntry;
using storage::AuditHead;
using storage::AuditRecord;
using storage::Family;

std::string hex(const storage::Bytes32& bytes) {
  std::string out;
  const auto* begin = reinterpret_cast<const char*>(bytes.data());
  boost::algorithm::hex_lower(begin, begin + bytes.size(), std::back_inserter(out));
  return out;
}

std::string text(const json::value& value) { return std::string(value.as_string()); }

class AuditCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        fs::temp_directory_path() / ("clueline-audit-" + std::to_string(std::random_device{}()));
    data_dir_ = directory_ / "data";
    keys_ = directory_ / "keys";
    fs::create_directories(directory_);
    crypto::initialize();
    open_store();  // creates the database, as the first `unit add` would
    store_.reset();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(directory_);
  }

  void open_store() {
    auto opened = storage::Store::open({.directory = data_dir_ / "rocksdb"});
    ASSERT_TRUE(opened) << opened.error().message();
    store_ = std::move(*opened);
  }

  CommandRun clueline(const std::string& arguments) {
    return run_clueline_json(directory_, arguments);
  }

  // An audit command on this test's data directory (the store must be closed).
  CommandRun audit(const std::string& arguments) {
    EXPECT_EQ(store_, nullptr) << "close the store first: the CLI needs the database lock";
    return clueline("audit " + arguments + " --data-dir " + data_dir_.string());
  }

  json::object audit_json(const std::string& arguments, int exit_code) {
    const CommandRun run = audit(arguments);
    EXPECT_EQ(run.exit_code, exit_code) << arguments << ": " << run.err;
    boost::system::error_code ec;
    json::value parsed = json::parse(run.out, ec);
    EXPECT_FALSE(ec) << arguments << ": " << run.out;
    return parsed.is_object() ? parsed.get_object() : json::object{};
  }

  std::vector<json::object> listed(const std::string& arguments) {
    const CommandRun run = audit("list " + arguments);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    std::vector<json::object> entries;
    std::istringstream lines(run.out);
    for (std::string line; std::getline(lines, line);) {
      entries.push_back(json::parse(line).as_object());
    }
    return entries;
  }

  static AuditRecord record(int i) {
    return {.at = 1'700'000'000 + i,
            .actor = "operator:cli",
            .action = "unit.add",
            .object = "unit:" + std::to_string(i),
            .detail = R"({"name":"Unit )" + std::to_string(i) + "\"}"};
  }

  AuditHead append(int first, int count) {
    open_store();
    std::vector<AuditRecord> records;
    for (int i = first; i < first + count; ++i) records.push_back(record(i));
    auto head = storage::append_audit(*store_, records);
    EXPECT_TRUE(head) << head.error().message();
    store_.reset();
    return head ? *head : AuditHead{};
  }

  AuditEntry stored_entry(std::uint64_t seq) {
    auto value = store_->get(Family::kAudit, storage::audit_key(seq));
    return storage::decode_audit_entry(value.value()).value();
  }

  void put(Family family, std::string key, std::string value) {
    const std::vector<storage::Mutation> batch{{family, std::move(key), std::move(value)}};
    ASSERT_TRUE(store_->write(batch));
  }

  fs::path keygen(const std::string& name) {
    const CommandRun run =
        clueline("keygen site-signing --out-dir " + keys_.string() + " --name " + name);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return keys_ / name;
  }

  fs::path directory_;
  fs::path data_dir_;
  fs::path keys_;
  std::unique_ptr<storage::Store> store_;
};

TEST_F(AuditCliTest, EmptyLogVerifiesAndListsNothing) {
  const json::object verified = audit_json("verify", 0);
  EXPECT_EQ(verified.at("entries").to_number<std::int64_t>(), 0);
  EXPECT_EQ(verified.at("intact"), true);
  EXPECT_EQ(verified.at("head").at("seq").to_number<std::int64_t>(), 0);
  EXPECT_EQ(text(verified.at("head").at("hash")), std::string(64, '0'));
  EXPECT_FALSE(verified.contains("first_bad_seq"));
  EXPECT_TRUE(listed("").empty());
}

TEST_F(AuditCliTest, AppendedEntriesVerifyAndList) {
  const AuditHead head = append(1, 5);
  const json::object verified = audit_json("verify", 0);
  EXPECT_EQ(verified.at("entries").to_number<std::int64_t>(), 5);
  EXPECT_EQ(verified.at("intact"), true);
  EXPECT_EQ(verified.at("head").at("seq").to_number<std::int64_t>(), 5);
  EXPECT_EQ(text(verified.at("head").at("hash")), hex(head.hash));

  const auto all = listed("");
  ASSERT_EQ(all.size(), 5u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].at("seq").to_number<std::int64_t>(), static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(text(all[i].at("object")), "unit:" + std::to_string(i + 1));
    EXPECT_EQ(text(all[i].at("actor")), "operator:cli");
    EXPECT_EQ(text(all[i].at("action")), "unit.add");
  }
  EXPECT_EQ(text(all[0].at("prev_hash")), std::string(64, '0'));
  EXPECT_EQ(text(all[1].at("prev_hash")), text(all[0].at("hash")));
  EXPECT_EQ(text(all[4].at("hash")), hex(head.hash));
  EXPECT_EQ(text(all[2].at("detail")), R"({"name":"Unit 3"})") << "the exact hashed text";

  const auto page = listed("--from 3 --limit 2");
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].at("seq").to_number<std::int64_t>(), 3);
  EXPECT_EQ(page[1].at("seq").to_number<std::int64_t>(), 4);
  EXPECT_TRUE(listed("--from 6").empty());

  for (const char* bad : {"--limit 0", "--limit 10001", "--from 0", "--from x"}) {
    const CommandRun run = audit(std::string("list ") + bad);
    EXPECT_EQ(run.exit_code, 2) << bad;
    EXPECT_EQ(run.out, "") << bad;
  }
}

TEST_F(AuditCliTest, TamperedEntryFailsVerifyNamingItsSeq) {
  append(1, 5);
  open_store();
  AuditEntry entry = stored_entry(3);
  entry.record.actor = "operator:someone-else";  // stored hash left as it was
  put(Family::kAudit, storage::audit_key(3), storage::encode(entry));
  store_.reset();

  const CommandRun run = audit("verify");
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const json::object verified = json::parse(run.out).as_object();
  EXPECT_EQ(verified.at("intact"), false);
  EXPECT_EQ(verified.at("first_bad_seq").to_number<std::int64_t>(), 3);
  EXPECT_EQ(verified.at("entries").to_number<std::int64_t>(), 2);
  EXPECT_NE(verified.at("problem").as_string().find("hash mismatch"), json::string::npos);
  EXPECT_NE(run.err.find("seq 3"), std::string::npos) << run.err;
}

TEST_F(AuditCliTest, CheckpointCatchesAConsistentlyRewrittenHistory) {
  append(1, 5);
  const fs::path auditor = keygen("auditor");
  const fs::path saved = directory_ / "checkpoint-5.json";
  const CommandRun made =
      audit("checkpoint --signing-key " + auditor.string() + ".key --out " + saved.string());
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const json::object file = json::parse(read_file(saved)).as_object();
  EXPECT_EQ(file.at("seq").to_number<std::int64_t>(), 5);
  EXPECT_EQ(json::parse(made.out).as_object(), file);

  const std::string with_checkpoint =
      "verify --checkpoint " + saved.string() + " --trusted-key " + auditor.string() + ".pub";
  json::object verified = audit_json(with_checkpoint, 0);
  EXPECT_EQ(verified.at("checkpoint").at("matches"), true);

  append(6, 3);  // later entries leave the checkpoint valid
  verified = audit_json(with_checkpoint, 0);
  EXPECT_EQ(verified.at("checkpoint").at("matches"), true);
  EXPECT_EQ(verified.at("entries").to_number<std::int64_t>(), 8);

  // Whoever controls the database rewrites entry 2 and recomputes everything
  // after it, head included: the chain alone cannot tell.
  open_store();
  storage::Bytes32 prev = stored_entry(1).hash;
  for (std::uint64_t seq = 2; seq <= 8; ++seq) {
    AuditEntry entry = stored_entry(seq);
    if (seq == 2) entry.record.detail = R"({"name":"Somewhere else"})";
    entry.prev_hash = prev;
    entry.hash = storage::audit_hash(seq, entry.record, prev);
    put(Family::kAudit, storage::audit_key(seq), storage::encode(entry));
    prev = entry.hash;
  }
  put(Family::kMeta, std::string(storage::kAuditHeadKey), storage::encode(AuditHead{8, prev}));
  store_.reset();
  EXPECT_EQ(audit_json("verify", 0).at("intact"), true);

  const CommandRun caught = audit(with_checkpoint);
  EXPECT_EQ(caught.exit_code, 1) << caught.err;
  verified = json::parse(caught.out).as_object();
  EXPECT_EQ(verified.at("intact"), true);
  EXPECT_EQ(verified.at("checkpoint").at("matches"), false);
  EXPECT_NE(verified.at("checkpoint").at("problem").as_string().find("rewritten"),
            json::string::npos);
  EXPECT_NE(caught.err.find("rewritten"), std::string::npos) << caught.err;
}

TEST_F(AuditCliTest, CheckpointFromAnUntrustedKeyIsRefused) {
  append(1, 2);
  const fs::path auditor = keygen("auditor");
  const fs::path impostor = keygen("impostor");
  const fs::path saved = directory_ / "checkpoint.json";
  ASSERT_EQ(audit("checkpoint --signing-key " + impostor.string() + ".key --out " + saved.string())
                .exit_code,
            0);
  const CommandRun run = audit("verify --checkpoint " + saved.string() + " --trusted-key " +
                               auditor.string() + ".pub");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("another key"), std::string::npos) << run.err;

  // Never overwritten; the key must be a secret key; the options go together.
  const CommandRun again =
      audit("checkpoint --signing-key " + auditor.string() + ".key --out " + saved.string());
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  EXPECT_EQ(audit("checkpoint --signing-key " + auditor.string() + ".pub --out " +
                  (directory_ / "other.json").string())
                .exit_code,
            1);
  EXPECT_EQ(audit("verify --checkpoint " + saved.string()).exit_code, 2);
}

TEST_F(AuditCliTest, BrokenLogIsNotCheckpointed) {
  append(1, 3);
  open_store();
  put(Family::kAudit, storage::audit_key(2), "garbage");
  store_.reset();
  const fs::path auditor = keygen("auditor");
  const fs::path saved = directory_ / "checkpoint.json";
  const CommandRun run =
      audit("checkpoint --signing-key " + auditor.string() + ".key --out " + saved.string());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("seq 2"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(saved));
}

TEST_F(AuditCliTest, MissingDatabaseIsReported) {
  const CommandRun run = clueline("audit verify --data-dir " + (directory_ / "nowhere").string());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("no clueline database"), std::string::npos) << run.err;
  EXPECT_EQ(clueline("audit frobnicate").exit_code, 2);
}

}  // namespace
}  // namespace clueline::testing
