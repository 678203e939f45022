// Working clues over a real RocksDB store and group-commit writer, without
// sockets (clue_work.hpp): the queue's cursor pages and filters, opening a
// clue only after its audit entry, and actions stored with their indexes.
#include "clueline/services/clue_work.hpp"

#include <gtest/gtest.h>

#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "../integration/deployment_fixture.hpp"
#include "../storage/temp_directory.hpp"
#include "clueline/crypto/crypto.hpp"
#include "clueline/routing/escalation.hpp"
#include "clueline/services/config.hpp"
#include "clueline/services/registry.hpp"
#include "clueline/storage/audit.hpp"
#include "run_use_case.hpp"

namespace clueline::services {
namespace {

using storage::Clue;
using storage::ClueStatus;
using storage::Family;
using storage::Role;
using storage::UnixSeconds;
using testing::run_use_case;

constexpr UnixSeconds kStart = 1'795'000'000;

class ClueWorkTest : public ::testing::Test {
 protected:
  ClueWorkTest() {
    deployment_ = testing::write_test_deployment(directory_.path());
    store_ = storage::Store::open({.directory = directory_.path() / "rocksdb"}).value();
    township_ = deployment_.unit_ids.at("township");
    county_ = deployment_.unit_ids.at("county");
    registry_ = std::make_unique<Registry>(read_registry(*store_, policy_, "(built-in)").value());
    writer_ = std::make_unique<storage::GroupCommitWriter>(*store_);
    auth_.store = store_.get();
    auth_.writer = writer_.get();
    auth_.blocking_pool = &pool_;
    auth_.claims = &claims_;
    auth_.registry = registry_.get();
    auth_.clock = [this] { return AuthClock::time_point(std::chrono::seconds(now_)); };
    context_ = {.auth = &auth_, .deadlines = &deadlines_, .policy = &policy_};
  }
  ~ClueWorkTest() override { writer_.reset(); }

  // A clue as intake stores it, handled by `unit`, with its envelope.
  Clue add_clue(std::uint16_t tag, std::uint32_t unit, std::string category = "bribery",
                std::uint32_t site = 1, storage::Bytes32 reply_public_key = {}) {
    Clue clue;
    clue.reply_public_key = reply_public_key;
    clue.id[0] = static_cast<std::byte>(tag >> 8);
    clue.id[1] = static_cast<std::byte>(tag & 0xff);
    clue.site_id = site;
    clue.received_at = kStart + tag;
    clue.category = std::move(category);
    clue.unit_id = unit;
    const auto deadlines = routing::deadlines_for(deadlines_, clue.received_at);
    clue.acknowledge_by = deadlines.acknowledge_by;
    clue.handle_by = deadlines.handle_by;
    std::vector<storage::Mutation> batch{
        {Family::kClues, storage::clue_key(clue.id), storage::encode(clue)},
        {Family::kClues, storage::envelope_key(clue.id), "sealed bytes " + std::to_string(tag)}};
    for (auto& mutation : storage::index_mutations(nullptr, clue)) batch.push_back(mutation);
    EXPECT_TRUE(store_->write(batch).has_value());
    return clue;
  }
  Clue stored(const storage::ClueId& id) {
    return storage::decode_clue(store_->get(Family::kClues, storage::clue_key(id)).value()).value();
  }
  std::vector<storage::AuditRecord> audit() {
    std::vector<storage::AuditRecord> records;
    for (auto& entry : storage::read_audit(*store_, 1, 100000).value()) {
      records.push_back(std::move(entry.record));
    }
    return records;
  }
  Actor worker(std::uint32_t unit, Role role = Role::kHandler) const {
    return {.account_id = 900 + unit, .unit_id = unit, .role = role};
  }
  std::vector<storage::ClueId> ids_of(const QueuePage& page) {
    std::vector<storage::ClueId> ids;
    for (const QueueItem& item : page.items) ids.push_back(item.clue.id);
    return ids;
  }

  storage::testing::TempDirectory directory_;
  testing::TestDeployment deployment_;
  std::unique_ptr<storage::Store> store_;
  routing::Policy policy_ = load_routing_policy({});
  routing::DeadlinePolicy deadlines_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<storage::GroupCommitWriter> writer_;
  boost::asio::thread_pool pool_{1};
  storage::ClaimSet claims_;
  AuthContext auth_;
  ClueWorkContext context_;
  UnixSeconds now_ = kStart + 86'400;
  std::uint32_t township_ = 0, county_ = 0;
};

TEST_F(ClueWorkTest, TheQueueIsPagedByCursorWithoutRepeatsOrGaps) {
  std::set<storage::ClueId> added;
  for (std::uint16_t tag = 1; tag <= 7; ++tag) added.insert(add_clue(tag, township_).id);
  add_clue(99, county_);  // another unit's
  std::set<storage::ClueId> seen;
  QueueQuery query{.limit = 3};
  std::size_t pages = 0;
  for (;;) {
    auto page = run_use_case(read_queue(context_, worker(township_), query));
    ASSERT_TRUE(page) << page.error().message;
    ++pages;
    for (const auto& id : ids_of(*page)) EXPECT_TRUE(seen.insert(id).second) << "a repeat";
    if (page->next_cursor.empty()) break;
    query.cursor = page->next_cursor;
    ASSERT_LT(pages, 10u);
  }
  EXPECT_EQ(seen, added);
  EXPECT_EQ(pages, 3u);
}

TEST_F(ClueWorkTest, AQueuePageReadsOnlyItsEntriesWhichCarryTheClues) {
  const Clue first = add_clue(1, township_);
  const Clue second = add_clue(2, township_);
  const Clue third = add_clue(3, township_);
  // With the records gone, the pages are the same: each queue entry holds a
  // copy of its clue's record (storage::QueueEntry), so a page is one scan.
  std::vector<storage::Mutation> drop;
  for (const Clue* clue : {&first, &second, &third}) {
    drop.push_back({Family::kClues, storage::clue_key(clue->id), {}});
  }
  ASSERT_TRUE(store_->write(drop));
  auto page = run_use_case(read_queue(context_, worker(township_), {.limit = 2}));
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(ids_of(*page), (std::vector<storage::ClueId>{first.id, second.id}));
  EXPECT_EQ(page->items[1].clue, second);
  ASSERT_FALSE(page->next_cursor.empty());
  auto rest = run_use_case(
      read_queue(context_, worker(township_), {.cursor = page->next_cursor, .limit = 2}));
  ASSERT_TRUE(rest) << rest.error().message;
  EXPECT_EQ(ids_of(*rest), (std::vector<storage::ClueId>{third.id}));
  EXPECT_TRUE(rest->next_cursor.empty());
  // Escalated-only pages look through the handled entries in chunks.
  auto none =
      run_use_case(read_queue(context_, worker(township_), {.escalated = true, .limit = 1}));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->items.empty());
  EXPECT_TRUE(none->next_cursor.empty());
}

TEST_F(ClueWorkTest, ADamagedQueueEntryIsReportedNotSkipped) {
  const Clue clue = add_clue(1, township_);
  const std::vector<storage::Mutation> damage{
      {Family::kQueue, storage::queue_key(township_, clue.status, clue.received_at, clue.id),
       "h{not a clue"}};
  ASSERT_TRUE(store_->write(damage));
  auto page = run_use_case(read_queue(context_, worker(township_), {}));
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, errc::storage_corruption);
}

TEST_F(ClueWorkTest, TheQueueFiltersAndRefusesOthersAndBadCursors) {
  const Clue bribery = add_clue(1, township_, "bribery", 1);
  const Clue other = add_clue(2, township_, "embezzlement", 2);
  const auto only = [&](QueueQuery query) {
    auto page = run_use_case(read_queue(context_, worker(township_), std::move(query)));
    EXPECT_TRUE(page) << page.error().message;
    return page ? ids_of(*page) : std::vector<storage::ClueId>{};
  };
  using Ids = std::vector<storage::ClueId>;
  EXPECT_EQ(only({.category = "embezzlement"}), Ids{other.id});
  EXPECT_EQ(only({.site_id = 1}), Ids{bribery.id});
  EXPECT_EQ(only({.status = ClueStatus::kClosed}), Ids{});
  EXPECT_EQ(only({.escalated = true}), Ids{});
  EXPECT_EQ(only({.overdue = true}), Ids{});
  now_ = std::max(bribery.acknowledge_by, other.acknowledge_by) + 1;
  EXPECT_EQ(only({.overdue = true}).size(), 2u);

  const auto refused = [&](const Actor& actor, QueueQuery query) {
    auto page = run_use_case(read_queue(context_, actor, std::move(query)));
    return page ? errc{} : page.error().code;
  };
  EXPECT_EQ(refused(worker(township_), {.unit_id = county_}), errc::forbidden);
  EXPECT_EQ(refused(worker(township_, Role::kAuditor), {}), errc::forbidden);
  EXPECT_EQ(refused(worker(township_, Role::kAdmin), {}), errc::forbidden);
  EXPECT_EQ(refused(worker(township_), {.limit = 0}), errc::invalid_argument);
  EXPECT_EQ(refused(worker(township_), {.limit = kMaxQueuePage + 1}), errc::invalid_argument);
  EXPECT_EQ(refused(worker(township_), {.cursor = "***"}), errc::invalid_argument);
  // A cursor of another unit's queue is not one of this query.
  const std::string county_key = storage::queue_prefix(county_) + "x";
  EXPECT_EQ(
      refused(worker(township_), {.cursor = crypto::to_base64url(crypto::as_bytes(county_key))}),
      errc::invalid_argument);
}

TEST_F(ClueWorkTest, OpeningAClueIsAuditedAndOnlyForUnitsThatSeeIt) {
  const Clue clue = add_clue(1, township_);
  const std::size_t before = audit().size();
  auto view = run_use_case(open_clue(context_, worker(township_), clue.id));
  ASSERT_TRUE(view) << view.error().message;
  EXPECT_EQ(view->clue, clue);
  EXPECT_EQ(view->access, ClueAccess::kHandling);
  EXPECT_EQ(view->envelope, "sealed bytes 1");
  const auto records = audit();
  ASSERT_EQ(records.size(), before + 1);
  EXPECT_EQ(records.back().action, "clue.open");
  EXPECT_EQ(records.back().actor, "account:" + std::to_string(900 + township_));
  for (const Actor& outsider :
       {worker(county_), worker(township_, Role::kAuditor), worker(township_, Role::kAdmin)}) {
    auto hidden = run_use_case(open_clue(context_, outsider, clue.id));
    ASSERT_FALSE(hidden);
    EXPECT_EQ(hidden.error().code, errc::not_found);
  }
  storage::ClueId missing{};
  missing[5] = std::byte{1};
  EXPECT_EQ(run_use_case(open_clue(context_, worker(township_), missing)).error().code,
            errc::not_found);
  EXPECT_EQ(audit().size(), before + 1) << "refusals are not openings";
}

TEST_F(ClueWorkTest, AnActionIsStoredWithItsIndexesAndAuditEntryAndARefusalChangesNothing) {
  const Clue clue = add_clue(1, township_);
  auto acknowledged = run_use_case(
      act_on_clue(context_, worker(township_), clue.id, {.action = ClueAction::kAcknowledge}));
  ASSERT_TRUE(acknowledged) << acknowledged.error().message;
  EXPECT_EQ(stored(clue.id), *acknowledged);
  EXPECT_EQ(acknowledged->status, ClueStatus::kAcknowledged);
  EXPECT_EQ(audit().back().action, "clue.acknowledge");
  // The queue index moved with the status.
  auto page =
      run_use_case(read_queue(context_, worker(township_), {.status = ClueStatus::kAcknowledged}));
  ASSERT_TRUE(page);
  EXPECT_EQ(ids_of(*page), std::vector<storage::ClueId>{clue.id});
  page = run_use_case(read_queue(context_, worker(township_), {.status = ClueStatus::kReceived}));
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->items.empty());

  const Clue before = stored(clue.id);
  const std::size_t entries = audit().size();
  auto again = run_use_case(
      act_on_clue(context_, worker(township_), clue.id, {.action = ClueAction::kAcknowledge}));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, errc::conflict);
  auto hidden = run_use_case(
      act_on_clue(context_, worker(county_), clue.id, {.action = ClueAction::kTakeOver}));
  ASSERT_FALSE(hidden);
  EXPECT_EQ(hidden.error().code, errc::not_found);
  EXPECT_EQ(stored(clue.id), before);
  EXPECT_EQ(audit().size(), entries);

  // Busy while another change of the clue holds its claim.
  auto held = claims_.claim(storage::clue_claim_key(clue.id));
  ASSERT_TRUE(held);
  auto busy = run_use_case(
      act_on_clue(context_, worker(township_), clue.id, {.action = ClueAction::kInvestigate}));
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().code, errc::unavailable);
  EXPECT_EQ(busy.error().retry_after_seconds, 1u);
}

TEST_F(ClueWorkTest, ADuplicateMustBeAClueTheUnitSees) {
  const Clue earlier = add_clue(1, township_);
  const Clue elsewhere = add_clue(2, county_);
  const Clue later = add_clue(3, township_);
  const auto link = [&](const storage::ClueId& other) {
    return run_use_case(act_on_clue(context_, worker(township_), later.id,
                                    {.action = ClueAction::kLinkDuplicate, .other = other}));
  };
  auto refused = link(elsewhere.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::invalid_argument);
  auto linked = link(earlier.id);
  ASSERT_TRUE(linked) << linked.error().message;
  EXPECT_EQ(stored(later.id).duplicate_of, earlier.id);
}

TEST_F(ClueWorkTest, AReplyIsStoredWithTheRecordAndAuditEntryAndShownWithTheClue) {
  const crypto::BoxKeyPair reporter = crypto::generate_box_key_pair();
  const Clue clue = add_clue(1, township_, "bribery", 1, reporter.public_key.bytes);
  const std::array recipients{reporter.public_key};
  const crypto::Bytes sealed =
      crypto::seal_payload(crypto::PayloadDomain::kReply, clue.id, recipients,
                           crypto::as_bytes("thank you, we are on it"))
          .value();
  ClueActionRequest request;
  request.action = ClueAction::kReply;
  request.sealed_reply.assign(reinterpret_cast<const char*>(sealed.data()), sealed.size());
  auto replied = run_use_case(act_on_clue(context_, worker(township_), clue.id, request));
  ASSERT_TRUE(replied) << replied.error().message;
  EXPECT_EQ(replied->replies, 1u);
  EXPECT_EQ(stored(clue.id), *replied);
  EXPECT_EQ(audit().back().action, "clue.reply");
  const auto note =
      storage::decode_note(store_->get(Family::kClues, storage::reply_key(clue.id, 1)).value());
  ASSERT_TRUE(note);
  EXPECT_EQ(note->payload, request.sealed_reply);
  EXPECT_EQ(note->sent_at, now_);
  auto view = run_use_case(open_clue(context_, worker(township_), clue.id));
  ASSERT_TRUE(view);
  ASSERT_EQ(view->replies.size(), 1u);
  EXPECT_EQ(view->replies[0].payload, request.sealed_reply);
  // The reporter opens it with the reply key.
  const auto opened = crypto::open_payload(crypto::PayloadDomain::kReply, clue.id,
                                           crypto::as_bytes(view->replies[0].payload), reporter);
  ASSERT_TRUE(opened);

  // Bytes sealed elsewhere change nothing.
  const Clue before = stored(clue.id);
  const std::size_t entries = audit().size();
  request.sealed_reply = "not sealed";
  auto refused = run_use_case(act_on_clue(context_, worker(township_), clue.id, request));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::invalid_argument);
  EXPECT_EQ(stored(clue.id), before);
  EXPECT_EQ(audit().size(), entries);
  EXPECT_FALSE(store_->get(Family::kClues, storage::reply_key(clue.id, 2)));
}

}  // namespace
}  // namespace clueline::services
