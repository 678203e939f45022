// The escalation job over a real database and group-commit writer, with a
// fake clock: passes are run at chosen instants.
#include "clueline/services/escalation.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../storage/temp_directory.hpp"
#include "clueline/common/utc_time.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/routing/escalation.hpp"
#include "clueline/storage/audit.hpp"

namespace clueline::services {
namespace {

namespace json = boost::json;
using storage::Clue;
using storage::ClueId;
using storage::ClueStatus;
using storage::Family;
using storage::UnixSeconds;

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

UnixSeconds at_local(int y, unsigned m, unsigned d, int hour, int minute) {
  const auto days =
      std::chrono::sys_days(routing::Date{year(y), month(m), day(d)}).time_since_epoch().count();
  return static_cast<UnixSeconds>(days) * 86'400 + hour * 3'600 + minute * 60 - 8 * 3'600;
}

// province 1 > city 2 > county 3 > township 4 > village 5 (village without
// a key); the township handles the clues here.
routing::Tree five_levels() {
  auto tree = routing::Tree::make({{1, 0, "province", true, "Province"},
                                   {2, 1, "city", true, "City"},
                                   {3, 2, "county", true, "County"},
                                   {4, 3, "township", true, "Township"},
                                   {5, 4, "village", false, "Village"}},
                                  routing::Levels{});
  EXPECT_TRUE(tree.has_value());
  return std::move(tree).value();
}

class EscalationPassTest : public ::testing::Test {
 protected:
  EscalationPassTest() {
    auto opened = storage::Store::open({.directory = directory_.path() / "db"});
    EXPECT_TRUE(opened.has_value());
    if (opened) store_ = std::move(*opened);
    writer_ = std::make_unique<storage::GroupCommitWriter>(*store_);
  }

  // Stores a clue received at `received` by unit 4, as intake does.
  Clue add_clue(std::uint16_t tag, UnixSeconds received, std::uint32_t unit = 4) {
    Clue clue;
    clue.id[0] = static_cast<std::byte>(tag >> 8);
    clue.id[1] = static_cast<std::byte>(tag & 0xff);
    clue.id[15] = std::byte{0x5a};
    clue.site_id = 1;
    clue.received_at = received;
    clue.category = "bribery";
    clue.unit_id = unit;
    const auto deadlines = routing::deadlines_for(policy_, received);
    clue.acknowledge_by = deadlines.acknowledge_by;
    clue.handle_by = deadlines.handle_by;
    clue.next_check_at =
        routing::plan_escalation(
            tree_, policy_,
            {.unit_id = unit, .acknowledge_by = clue.acknowledge_by, .handle_by = clue.handle_by},
            received)
            .next_check_at;
    std::vector<storage::Mutation> batch{
        {Family::kClues, storage::clue_key(clue.id), storage::encode(clue)}};
    for (auto& mutation : storage::index_mutations(nullptr, clue)) batch.push_back(mutation);
    EXPECT_TRUE(store_->write(batch).has_value());
    return clue;
  }

  Clue stored(const ClueId& id) {
    auto bytes = store_->get(Family::kClues, storage::clue_key(id));
    EXPECT_TRUE(bytes.has_value());
    auto clue = storage::decode_clue(bytes ? *bytes : std::string());
    EXPECT_TRUE(clue.has_value());
    return clue ? *clue : Clue{};
  }

  // The queue of `unit`: {clue id, relation} in key order.
  std::vector<std::pair<ClueId, std::string>> queue(std::uint32_t unit) {
    std::vector<std::pair<ClueId, std::string>> out;
    auto entries = store_->scan(Family::kQueue, storage::queue_prefix(unit), 1000);
    EXPECT_TRUE(entries.has_value());
    for (const auto& [key, value] : *entries) {
      ClueId id{};
      std::memcpy(id.data(), key.data() + key.size() - 16, 16);
      out.emplace_back(id, storage::decode_queue_entry(value).value().escalated ? "escalated" : "");
    }
    return out;
  }

  std::vector<storage::AuditEntry> audit() {
    auto entries = storage::read_audit(*store_, 1, 1000);
    EXPECT_TRUE(entries.has_value());
    return entries ? *entries : std::vector<storage::AuditEntry>{};
  }

  EscalationPassResult pass(UnixSeconds now, std::size_t max_clues = 100000) {
    return run_escalation_pass(*store_, *writer_, tree_, policy_, claims_, now, max_clues);
  }

  storage::testing::TempDirectory directory_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<storage::GroupCommitWriter> writer_;
  routing::Tree tree_ = five_levels();
  routing::DeadlinePolicy policy_;
  storage::ClaimSet claims_;
};

using Queue = std::vector<std::pair<ClueId, std::string>>;

TEST_F(EscalationPassTest, UnacknowledgedClueReachesTheParentThenTheGrandparentWithAuditEntries) {
  // Monday 2 March 2026 10:00; acknowledge by Tuesday 17 March 10:00.
  const Clue clue = add_clue(1, at_local(2026, 3, 2, 10, 0));
  ASSERT_EQ(clue.acknowledge_by, at_local(2026, 3, 17, 10, 0));
  EXPECT_EQ(queue(4), (Queue{{clue.id, ""}}));

  // A day before the deadline nothing happens.
  auto result = pass(clue.acknowledge_by - 86'400);
  EXPECT_EQ(result.due, 0u);
  EXPECT_TRUE(queue(3).empty());
  EXPECT_TRUE(audit().empty());

  // One minute past it the county sees the clue, with one audit entry.
  const UnixSeconds first_pass = clue.acknowledge_by + 60;
  result = pass(first_pass);
  EXPECT_EQ(result.due, 1u);
  EXPECT_EQ(result.escalated, 1u);
  EXPECT_EQ(result.steps, 1u);
  EXPECT_EQ(queue(3), (Queue{{clue.id, "escalated"}}));
  EXPECT_EQ(queue(4), (Queue{{clue.id, ""}})) << "the township still handles it";
  EXPECT_TRUE(queue(2).empty());
  auto entries = audit();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].record.actor, "system:escalation");
  EXPECT_EQ(entries[0].record.action, "clue.escalate");
  EXPECT_EQ(entries[0].record.object, "clue:" + crypto::to_base64url(clue.id));
  EXPECT_EQ(entries[0].record.at, first_pass);
  const json::object detail = json::parse(entries[0].record.detail).as_object();
  EXPECT_EQ(detail.at("unit_id").as_int64(), 3);
  EXPECT_EQ(detail.at("handling_unit_id").as_int64(), 4);
  EXPECT_EQ(detail.at("reason").as_string(), "acknowledge_overdue");
  EXPECT_EQ(detail.at("deadline").as_string(), utc_text(clue.acknowledge_by));
  EXPECT_EQ(detail.at("due_at").as_string(), utc_text(clue.acknowledge_by));

  Clue after = stored(clue.id);
  ASSERT_EQ(after.escalations.size(), 1u);
  EXPECT_EQ(after.escalations[0],
            (storage::Escalation{3, "acknowledge_overdue", clue.acknowledge_by, first_pass}));
  // Five working days later (Wed..Fri, Mon, Tue): Wednesday 25 March 00:00.
  const UnixSeconds city_due = at_local(2026, 3, 25, 0, 0);
  EXPECT_EQ(after.next_check_at, city_due);

  // Passes before that change nothing.
  result = pass(city_due - 1);
  EXPECT_EQ(result.due, 0u);
  EXPECT_EQ(audit().size(), 1u);

  result = pass(city_due);
  EXPECT_EQ(result.steps, 1u);
  EXPECT_EQ(queue(2), (Queue{{clue.id, "escalated"}}));
  EXPECT_EQ(queue(3), (Queue{{clue.id, "escalated"}}));
  EXPECT_TRUE(queue(1).empty());
  entries = audit();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(json::parse(entries[1].record.detail).at("unit_id").as_int64(), 2);
  EXPECT_EQ(entries[1].prev_hash, entries[0].hash);

  const auto verified = storage::verify_audit(*store_);
  ASSERT_TRUE(verified.has_value());
  EXPECT_TRUE(verified->intact) << verified->problem;
  EXPECT_EQ(verified->entries, 2u);
}

TEST_F(EscalationPassTest, AnAcknowledgedClueWaitsForTheHandleDeadline) {
  Clue clue = add_clue(2, at_local(2026, 3, 2, 10, 0));
  // A supervisor acknowledges it in time (the change a later supervisor API
  // makes: status and indexes together).
  Clue acknowledged = clue;
  acknowledged.status = ClueStatus::kAcknowledged;
  acknowledged.next_check_at = acknowledged.handle_by;
  std::vector<storage::Mutation> batch{
      {Family::kClues, storage::clue_key(clue.id), storage::encode(acknowledged)}};
  for (auto& mutation : storage::index_mutations(&clue, acknowledged)) batch.push_back(mutation);
  ASSERT_TRUE(store_->write(batch).has_value());

  EXPECT_EQ(pass(clue.acknowledge_by + 60).due, 0u);
  EXPECT_TRUE(queue(3).empty());
  const auto result = pass(clue.handle_by + 60);
  EXPECT_EQ(result.steps, 1u);
  EXPECT_EQ(queue(3), (Queue{{clue.id, "escalated"}}));
  EXPECT_EQ(queue(4), (Queue{{clue.id, ""}}));
  const auto entries = audit();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(json::parse(entries[0].record.detail).at("reason").as_string(), "handle_overdue");
}

TEST_F(EscalationPassTest, AJobThatWasDownCatchesUpEveryLevelInOnePass) {
  const Clue clue = add_clue(3, at_local(2026, 3, 2, 10, 0));
  const auto result = pass(clue.handle_by + 30 * 86'400);
  EXPECT_EQ(result.steps, 3u);
  for (std::uint32_t unit : {1u, 2u, 3u}) {
    EXPECT_EQ(queue(unit), (Queue{{clue.id, "escalated"}})) << unit;
  }
  EXPECT_EQ(stored(clue.id).next_check_at, 0) << "nobody left above";
  EXPECT_TRUE(store_->scan(Family::kDeadlines, "", 10)->empty());
  EXPECT_EQ(audit().size(), 3u);
  // Nothing more to do, ever.
  EXPECT_EQ(pass(clue.handle_by + 400 * 86'400).due, 0u);
}

TEST_F(EscalationPassTest, ABusyClueIsLeftForTheNextPassAndOthersGoOn) {
  const Clue busy = add_clue(4, at_local(2026, 3, 2, 10, 0));
  const Clue free = add_clue(5, at_local(2026, 3, 2, 11, 0));
  const UnixSeconds now = free.acknowledge_by + 60;
  {
    auto claim = claims_.claim(storage::clue_claim_key(busy.id));
    ASSERT_TRUE(claim.has_value());
    const auto result = pass(now);
    EXPECT_EQ(result.due, 2u);
    EXPECT_EQ(result.busy, 1u);
    EXPECT_EQ(result.steps, 1u);
    EXPECT_EQ(queue(3), (Queue{{free.id, "escalated"}}));
    EXPECT_TRUE(stored(busy.id).escalations.empty());
  }
  const auto result = pass(now);
  EXPECT_EQ(result.due, 1u);
  EXPECT_EQ(result.busy, 0u);
  EXPECT_EQ(queue(3).size(), 2u);
}

TEST_F(EscalationPassTest, ManyDueCluesBeyondOnePageAreAllEscalatedAndTheLimitIsKept) {
  const UnixSeconds received = at_local(2026, 3, 2, 10, 0);
  for (std::uint16_t i = 0; i < 600; ++i) add_clue(1000 + i, received + i);
  const UnixSeconds now = received + 16 * 86'400;
  const auto limited = pass(now, 100);
  EXPECT_EQ(limited.due, 100u);
  EXPECT_EQ(limited.steps, 100u);
  EXPECT_EQ(queue(3).size(), 100u);
  const auto rest = pass(now);
  EXPECT_EQ(rest.due, 500u) << "more than one page of the index";
  EXPECT_EQ(rest.steps, 500u);
  EXPECT_EQ(rest.failed, 0u);
  EXPECT_EQ(queue(3).size(), 600u);
  EXPECT_EQ(audit().size(), 600u);
}

TEST_F(EscalationPassTest, AStaleIndexEntryIsRemovedAndChangesNothingElse) {
  const Clue clue = add_clue(6, at_local(2026, 3, 2, 10, 0));
  ClueId ghost{};
  ghost[0] = std::byte{0x77};
  const std::vector<storage::Mutation> stale{
      {Family::kDeadlines, storage::deadline_key(clue.acknowledge_by - 10, ghost), ""},
      {Family::kDeadlines, storage::deadline_key(clue.acknowledge_by - 5, clue.id), ""}};
  ASSERT_TRUE(store_->write(stale).has_value());
  const auto result = pass(clue.acknowledge_by - 1);
  EXPECT_EQ(result.due, 2u);
  EXPECT_EQ(result.steps, 0u);
  EXPECT_EQ(result.failed, 0u);
  const auto left = store_->scan(Family::kDeadlines, "", 10);
  ASSERT_TRUE(left.has_value());
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().first, storage::deadline_key(clue.acknowledge_by, clue.id));
  EXPECT_EQ(stored(clue.id), clue);
  EXPECT_TRUE(audit().empty());
}

TEST_F(EscalationPassTest, TheJobThreadRunsAPassAtStartAndReportsIt) {
  // Received long ago: the first pass (real clock) escalates it all the way.
  const Clue clue = add_clue(7, at_local(2020, 3, 2, 10, 0));
  {
    const Registry registry(
        std::make_shared<const RegistrySnapshot>(RegistrySnapshot{.tree = tree_}));
    EscalationJob job(*store_, *writer_, registry, policy_, claims_, std::chrono::seconds(3600));
    for (int i = 0; i < 500 && job.stats().passes == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const auto stats = job.stats();
    EXPECT_EQ(stats.passes, 1u);
    EXPECT_EQ(stats.escalations, 3u);
    EXPECT_GT(stats.last_pass_at, at_local(2026, 1, 1, 0, 0));
  }  // stops without waiting for the hour
  EXPECT_EQ(queue(1), (Queue{{clue.id, "escalated"}}));
}

}  // namespace
}  // namespace clueline::services
