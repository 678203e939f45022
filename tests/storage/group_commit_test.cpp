#include "clueline/storage/group_commit.hpp"

#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <thread>

#include "clueline/storage/audit.hpp"
#include "fault_injection_fs.hpp"
#include "rocksdb_store.hpp"
#include "temp_directory.hpp"

namespace clueline::storage {
namespace {

using testing::FaultInjectionFileSystem;
using testing::TempDirectory;
using testing::wait_writable;

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = open_rocksdb_store(Options{.directory = dir_.path() / "db"}, env_.get());
    ASSERT_TRUE(opened) << opened.error().message();
    store_ = std::move(*opened);
  }

  static std::vector<Mutation> put(std::string key, std::string value) {
    return {{Family::kClues, std::move(key), std::move(value)}};
  }

  // Holds the writer inside the sync of a first submission, so that what is
  // enqueued next is certain to wait and be gathered into one batch.
  std::future<result<void>> occupy_writer(GroupCommitWriter& writer) {
    fs_->hold_syncs(true);
    auto promise = std::make_shared<std::promise<result<void>>>();
    auto future = promise->get_future();
    writer.enqueue(put("first", "1"), [promise](result<void> r) { promise->set_value(r); });
    while (fs_->held_syncs() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return future;
  }

  static AuditRecord audit_record(std::string object, std::string action = "clue.receive") {
    return {.at = 1'700'000'000,
            .actor = "system:test",
            .action = std::move(action),
            .object = std::move(object),
            .detail = "{}"};
  }

  // A clue put logged with one audit record naming it.
  static GroupCommitWriter::Submission audited(std::string key) {
    return {.mutations = put(key, "sealed"), .must_be_absent = {}, .audit = {audit_record(key)}};
  }

  // The logged objects in seq order, after checking that the chain verifies
  // and its seqs are 1..N without gaps.
  std::vector<std::string> verified_audit_objects() {
    const auto verified = verify_audit(*store_);
    EXPECT_TRUE(verified) << verified.error().message();
    if (!verified) return {};
    EXPECT_TRUE(verified->intact) << verified->first_bad_seq << ": " << verified->problem;
    const auto entries = read_audit(*store_, 1, 100000);
    EXPECT_TRUE(entries);
    if (!entries) return {};
    EXPECT_EQ(entries->size(), verified->entries);
    std::vector<std::string> objects;
    for (std::size_t i = 0; i < entries->size(); ++i) {
      EXPECT_EQ((*entries)[i].seq, i + 1);
      objects.push_back((*entries)[i].record.object);
    }
    return objects;
  }

  std::shared_ptr<FaultInjectionFileSystem> fs_ = std::make_shared<FaultInjectionFileSystem>();
  std::unique_ptr<rocksdb::Env> env_ = rocksdb::NewCompositeEnv(fs_);
  TempDirectory dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(GroupCommitTest, AcknowledgedSubmissionsAreStored) {
  GroupCommitWriter writer(*store_);
  std::promise<result<void>> done;
  writer.enqueue(put("clue-1", "sealed"), [&done](result<void> r) { done.set_value(r); });
  ASSERT_TRUE(done.get_future().get());
  EXPECT_EQ(store_->get(Family::kClues, "clue-1").value(), "sealed");
}

TEST_F(GroupCommitTest, SubmissionsWaitingDuringASyncShareTheNextOne) {
  GroupCommitWriter writer(*store_);
  auto first = occupy_writer(writer);
  std::atomic<int> acknowledged{0};
  for (int i = 0; i < 200; ++i) {
    writer.enqueue(put("clue-" + std::to_string(i), "v"), [&acknowledged](result<void> r) {
      if (r) ++acknowledged;
    });
  }
  EXPECT_EQ(acknowledged.load(), 0) << "nothing is acknowledged before its sync";
  fs_->hold_syncs(false);
  ASSERT_TRUE(first.get());
  // The writer counts a batch in its stats before it runs the batch's
  // callbacks, so wait for the callbacks themselves.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (acknowledged.load() < 200 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(acknowledged.load(), 200);
  const auto stats = writer.stats();
  EXPECT_EQ(stats.submissions, 201u);
  EXPECT_EQ(stats.batches, 2u) << "the 200 waiting submissions went out in one batch";
  EXPECT_EQ(store_->get(Family::kClues, "clue-199").value(), "v");
}

TEST_F(GroupCommitTest, ABadSubmissionDoesNotFailItsBatchNeighbours) {
  GroupCommitWriter writer(*store_);
  auto first = occupy_writer(writer);
  std::promise<result<void>> good_before, bad, good_after;
  writer.enqueue(put("good-before", "1"), [&](result<void> r) { good_before.set_value(r); });
  // Keys under "storage." in kMeta are reserved, so the store refuses them.
  writer.enqueue({{Family::kMeta, "storage.format_version", "999"}},
                 [&](result<void> r) { bad.set_value(r); });
  writer.enqueue(put("good-after", "2"), [&](result<void> r) { good_after.set_value(r); });
  fs_->hold_syncs(false);
  ASSERT_TRUE(first.get());
  EXPECT_TRUE(good_before.get_future().get());
  const auto refused = bad.get_future().get();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), errc::invalid_argument);
  EXPECT_TRUE(good_after.get_future().get());
  EXPECT_EQ(store_->get(Family::kClues, "good-after").value(), "2");
}

// A key that must be absent is checked against the store and against the
// submissions ahead in the same batch; the loser writes nothing at all.
TEST_F(GroupCommitTest, MustBeAbsentKeysConflictWithStoreAndSameBatch) {
  ASSERT_TRUE(store_->write(std::vector<Mutation>{{Family::kReceipts, "taken", "old"}}));
  GroupCommitWriter writer(*store_);
  auto first = occupy_writer(writer);
  const auto claim = [](std::string receipt, std::string clue) {
    return GroupCommitWriter::Submission{
        .mutations = {{Family::kReceipts, receipt, clue}, {Family::kClues, clue, "sealed"}},
        .must_be_absent = {{Family::kReceipts, receipt}}};
  };
  std::promise<result<void>> against_store, winner, loser, other;
  writer.enqueue(claim("taken", "clue-a"), [&](result<void> r) { against_store.set_value(r); });
  writer.enqueue(claim("fresh", "clue-b"), [&](result<void> r) { winner.set_value(r); });
  writer.enqueue(claim("fresh", "clue-c"), [&](result<void> r) { loser.set_value(r); });
  writer.enqueue(claim("other", "clue-d"), [&](result<void> r) { other.set_value(r); });
  fs_->hold_syncs(false);
  ASSERT_TRUE(first.get());
  const auto refused_by_store = against_store.get_future().get();
  ASSERT_FALSE(refused_by_store);
  EXPECT_EQ(refused_by_store.error(), errc::conflict);
  EXPECT_TRUE(winner.get_future().get());
  const auto refused_in_batch = loser.get_future().get();
  ASSERT_FALSE(refused_in_batch);
  EXPECT_EQ(refused_in_batch.error(), errc::conflict);
  EXPECT_TRUE(other.get_future().get());

  EXPECT_EQ(store_->get(Family::kReceipts, "taken").value(), "old");
  EXPECT_EQ(store_->get(Family::kReceipts, "fresh").value(), "clue-b");
  EXPECT_EQ(store_->get(Family::kReceipts, "other").value(), "clue-d");
  EXPECT_EQ(store_->get(Family::kClues, "clue-a").error(), errc::not_found);
  EXPECT_EQ(store_->get(Family::kClues, "clue-c").error(), errc::not_found);
  EXPECT_EQ(writer.stats().failed_submissions, 2u);
}

TEST_F(GroupCommitTest, FailedSyncFailsEverySubmissionInTheBatch) {
  GroupCommitWriter writer(*store_);
  fs_->fail_syncs(true);
  std::vector<std::promise<result<void>>> done(5);
  for (int i = 0; i < 5; ++i) {
    writer.enqueue(put("k" + std::to_string(i), "v"),
                   [&done, i](result<void> r) { done[i].set_value(r); });
  }
  for (auto& promise : done) {
    const auto outcome = promise.get_future().get();
    ASSERT_FALSE(outcome);
    EXPECT_EQ(outcome.error(), errc::storage_io);
  }
  EXPECT_EQ(writer.stats().failed_submissions, 5u);
}

TEST_F(GroupCommitTest, FullQueueRefusesAtOnceWithUnavailable) {
  GroupCommitWriter writer(*store_, {.max_submissions_per_batch = 1024, .max_pending = 1});
  auto first = occupy_writer(writer);
  std::promise<result<void>> queued;
  writer.enqueue(put("queued", "1"), [&](result<void> r) { queued.set_value(r); });
  bool refused_inline = false;
  writer.enqueue(put("refused", "1"),
                 [&](result<void> r) { refused_inline = !r && r.error() == errc::unavailable; });
  EXPECT_TRUE(refused_inline);
  fs_->hold_syncs(false);
  EXPECT_TRUE(first.get());
  EXPECT_TRUE(queued.get_future().get());
  EXPECT_EQ(store_->get(Family::kClues, "refused").error(), errc::not_found);
}

TEST_F(GroupCommitTest, DestructionWritesEverythingAlreadyQueued) {
  std::atomic<int> acknowledged{0};
  {
    GroupCommitWriter writer(*store_);
    for (int i = 0; i < 50; ++i) {
      writer.enqueue(put("clue-" + std::to_string(i), "v"), [&acknowledged](result<void> r) {
        if (r) ++acknowledged;
      });
    }
  }
  EXPECT_EQ(acknowledged.load(), 50);
  EXPECT_EQ(store_->get(Family::kClues, "clue-49").value(), "v");
}

TEST_F(GroupCommitTest, ConcurrentProducersLoseNothing) {
  GroupCommitWriter writer(*store_);
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> producers;
  for (int t = 0; t < 8; ++t) {
    producers.emplace_back([&writer, &acknowledged, t] {
      for (int i = 0; i < 250; ++i) {
        writer.enqueue(put("p" + std::to_string(t) + "-" + std::to_string(i), "v"),
                       [&acknowledged](result<void> r) {
                         if (r) ++acknowledged;
                       });
      }
    });
  }
  for (auto& producer : producers) producer.join();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (acknowledged.load() < 2000 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(acknowledged.load(), 2000);
  EXPECT_EQ(store_->scan(Family::kClues, "p", 5000).value().size(), 2000u);
}

// ---- audit records ------------------------------------------------------------

TEST_F(GroupCommitTest, AuditRecordsFromConcurrentSubmissionsFormOneGaplessChain) {
  std::atomic<int> acknowledged{0};
  {
    GroupCommitWriter writer(*store_);
    std::vector<std::thread> producers;
    for (int t = 0; t < 8; ++t) {
      producers.emplace_back([&writer, &acknowledged, t] {
        for (int i = 0; i < 100; ++i) {
          const std::string key = "p" + std::to_string(t) + "-" + std::to_string(i);
          auto submission = audited(key);
          // Every third submission logs two records, which must stay adjacent.
          if (i % 3 == 0) submission.audit.push_back(audit_record(key, "clue.route"));
          writer.enqueue(std::move(submission), [&acknowledged](result<void> r) {
            if (r) ++acknowledged;
          });
        }
      });
    }
    for (auto& producer : producers) producer.join();
  }  // the destructor writes everything queued
  EXPECT_EQ(acknowledged.load(), 800);

  const auto entries = read_audit(*store_, 1, 100000).value();
  const auto objects = verified_audit_objects();
  ASSERT_EQ(objects.size(), 800u + 8 * 34);
  std::map<std::string, std::vector<std::uint64_t>> seqs_of;
  for (const auto& entry : entries) seqs_of[entry.record.object].push_back(entry.seq);
  ASSERT_EQ(seqs_of.size(), 800u);
  for (const auto& [object, seqs] : seqs_of) {
    EXPECT_EQ(store_->get(Family::kClues, object).value(), "sealed");
    if (seqs.size() == 2) {
      EXPECT_EQ(seqs[1], seqs[0] + 1) << object;
    }
  }
  EXPECT_EQ(load_audit_head(*store_).value().seq, objects.size());
}

TEST_F(GroupCommitTest, AuditChainContinuesWhatTheStoreHolds) {
  const std::vector<AuditRecord> offline{audit_record("unit:1", "unit.add"),
                                         audit_record("unit:2", "unit.add")};
  ASSERT_TRUE(append_audit(*store_, offline));
  GroupCommitWriter writer(*store_);
  std::promise<result<void>> done;
  writer.enqueue(audited("clue-1"), [&](result<void> r) { done.set_value(r); });
  ASSERT_TRUE(done.get_future().get());
  EXPECT_EQ(verified_audit_objects(), (std::vector<std::string>{"unit:1", "unit:2", "clue-1"}));
}

TEST_F(GroupCommitTest, InvalidAuditRecordFailsItsSubmissionAlone) {
  GroupCommitWriter writer(*store_);
  auto first = occupy_writer(writer);
  std::promise<result<void>> before, bad, after;
  writer.enqueue(audited("before"), [&](result<void> r) { before.set_value(r); });
  auto invalid = audited("bad");
  invalid.audit.push_back(audit_record("bad", "Not.Valid"));
  writer.enqueue(std::move(invalid), [&](result<void> r) { bad.set_value(r); });
  writer.enqueue(audited("after"), [&](result<void> r) { after.set_value(r); });
  fs_->hold_syncs(false);
  ASSERT_TRUE(first.get());
  EXPECT_TRUE(before.get_future().get());
  const auto refused = bad.get_future().get();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), errc::invalid_argument);
  EXPECT_TRUE(after.get_future().get());
  EXPECT_EQ(store_->get(Family::kClues, "bad").error(), errc::not_found) << "nothing of it written";
  EXPECT_EQ(verified_audit_objects(), (std::vector<std::string>{"before", "after"}));
  EXPECT_EQ(writer.stats().batches, 2u) << "the others still shared one batch";
}

// One batch mixing submissions with and without audit records, one the store
// refuses (so each is retried alone) and one losing a must_be_absent check:
// only the written ones are logged, in order, without gaps.
TEST_F(GroupCommitTest, MixedBatchRetriedAloneKeepsTheChainGapless) {
  ASSERT_TRUE(store_->write(std::vector<Mutation>{{Family::kReceipts, "taken", "old"}}));
  GroupCommitWriter writer(*store_);
  auto first = occupy_writer(writer);
  std::vector<std::promise<result<void>>> done(5);
  const auto callback = [&done](int i) {
    return [&done, i](result<void> r) { done[i].set_value(r); };
  };
  writer.enqueue(audited("a"), callback(0));
  writer.enqueue(put("b", "plain"), callback(1));
  GroupCommitWriter::Submission refused_by_store{
      .mutations = {{Family::kMeta, "storage.format_version", "999"}},
      .must_be_absent = {},
      .audit = {audit_record("c")}};
  writer.enqueue(std::move(refused_by_store), callback(2));
  writer.enqueue(audited("d"), callback(3));
  auto conflicting = audited("e");
  conflicting.must_be_absent = {{Family::kReceipts, "taken"}};
  writer.enqueue(std::move(conflicting), callback(4));
  fs_->hold_syncs(false);
  ASSERT_TRUE(first.get());

  std::vector<result<void>> outcomes;
  for (auto& promise : done) outcomes.push_back(promise.get_future().get());
  EXPECT_TRUE(outcomes[0]);
  EXPECT_TRUE(outcomes[1]);
  ASSERT_FALSE(outcomes[2]);
  EXPECT_EQ(outcomes[2].error(), errc::invalid_argument);
  EXPECT_TRUE(outcomes[3]);
  ASSERT_FALSE(outcomes[4]);
  EXPECT_EQ(outcomes[4].error(), errc::conflict);
  EXPECT_EQ(verified_audit_objects(), (std::vector<std::string>{"a", "d"}));

  // The writer's head stayed right: the next submission continues the chain.
  std::promise<result<void>> later;
  writer.enqueue(audited("f"), [&](result<void> r) { later.set_value(r); });
  ASSERT_TRUE(later.get_future().get());
  EXPECT_EQ(verified_audit_objects(), (std::vector<std::string>{"a", "d", "f"}));
}

// After a full disk the writer recovers the store by itself: once there is
// room, the next submission is written without anyone probing readiness.
TEST_F(GroupCommitTest, WritesResumeByThemselvesOnceTheDiskHasRoom) {
  GroupCommitWriter writer(*store_);
  const auto submit = [&writer](std::string key) {
    auto done = std::make_shared<std::promise<result<void>>>();
    writer.enqueue(put(std::move(key), "v"), [done](result<void> r) { done->set_value(r); });
    return done->get_future().get();
  };
  ASSERT_TRUE(submit("before"));
  fs_->fail_appends_no_space(true);
  const auto refused = submit("during");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), errc::storage_no_space);
  fs_->fail_appends_no_space(false);
  // As a client does on 503: send again. RocksDB may still be busy with its
  // own recovery for a moment; nothing here asks the store to recover.
  const auto after = testing::retry_until_ok([&] { return submit("after"); });
  EXPECT_TRUE(after) << after.error().message();
  EXPECT_TRUE(store_->get(Family::kClues, "before"));
  EXPECT_TRUE(store_->get(Family::kClues, "after"));
}

TEST_F(GroupCommitTest, FailedBatchLeavesAChainThatLaterAppendsContinue) {
  GroupCommitWriter writer(*store_);
  const auto submit = [&writer](std::string key) {
    auto done = std::make_shared<std::promise<result<void>>>();
    writer.enqueue(audited(std::move(key)), [done](result<void> r) { done->set_value(r); });
    return done->get_future();
  };
  ASSERT_TRUE(submit("ok-1").get());

  fs_->fail_appends_no_space(true);
  auto lost_a = submit("lost-a");
  auto lost_b = submit("lost-b");
  const auto failed_a = lost_a.get();
  const auto failed_b = lost_b.get();
  ASSERT_FALSE(failed_a);
  ASSERT_FALSE(failed_b);
  EXPECT_EQ(failed_a.error(), errc::storage_no_space);
  fs_->fail_appends_no_space(false);
  const auto recovered = wait_writable(*store_);
  ASSERT_TRUE(recovered) << recovered.error().message();

  EXPECT_EQ(verified_audit_objects(), (std::vector<std::string>{"ok-1"}));
  ASSERT_TRUE(submit("ok-2").get());
  ASSERT_TRUE(submit("ok-3").get());
  EXPECT_EQ(verified_audit_objects(), (std::vector<std::string>{"ok-1", "ok-2", "ok-3"}));
}

// A failed fsync leaves the batch applied or not, and RocksDB refuses writes
// until reopened; either way the reopened chain verifies and continues.
TEST_F(GroupCommitTest, FailedSyncThenReopenKeepsTheChainVerifiable) {
  {
    GroupCommitWriter writer(*store_);
    std::promise<result<void>> ok, lost;
    writer.enqueue(audited("ok-1"), [&](result<void> r) { ok.set_value(r); });
    ASSERT_TRUE(ok.get_future().get());
    fs_->fail_syncs(true);
    writer.enqueue(audited("maybe-lost"), [&](result<void> r) { lost.set_value(r); });
    const auto failed = lost.get_future().get();
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error(), errc::storage_io);
  }
  fs_->fail_syncs(false);
  store_.reset();
  auto reopened = open_rocksdb_store(Options{.directory = dir_.path() / "db"}, env_.get());
  ASSERT_TRUE(reopened) << reopened.error().message();
  store_ = std::move(*reopened);

  GroupCommitWriter writer(*store_);
  std::promise<result<void>> after;
  writer.enqueue(audited("ok-2"), [&](result<void> r) { after.set_value(r); });
  ASSERT_TRUE(after.get_future().get());
  const auto objects = verified_audit_objects();
  ASSERT_GE(objects.size(), 2u);
  EXPECT_EQ(objects.front(), "ok-1");
  EXPECT_EQ(objects.back(), "ok-2");
  EXPECT_LE(objects.size(), 3u);
}

TEST_F(GroupCommitTest, AuditHeadLoadFailureFailsOnlyAuditedSubmissionsAndIsRetried) {
  ASSERT_TRUE(store_->write(
      std::vector<Mutation>{{Family::kMeta, std::string(kAuditHeadKey), "not a head"}}));
  GroupCommitWriter writer(*store_);
  std::promise<result<void>> plain, logged;
  writer.enqueue(put("plain", "v"), [&](result<void> r) { plain.set_value(r); });
  writer.enqueue(audited("logged"), [&](result<void> r) { logged.set_value(r); });
  EXPECT_TRUE(plain.get_future().get());
  const auto refused = logged.get_future().get();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), errc::storage_corruption);
  EXPECT_EQ(store_->get(Family::kClues, "logged").error(), errc::not_found);

  // Repaired (by an operator, with no audited write in flight): the next
  // audited submission loads the head again.
  ASSERT_TRUE(store_->write(
      std::vector<Mutation>{{Family::kMeta, std::string(kAuditHeadKey), encode(AuditHead{})}}));
  std::promise<result<void>> retried;
  writer.enqueue(audited("logged"), [&](result<void> r) { retried.set_value(r); });
  ASSERT_TRUE(retried.get_future().get());
  EXPECT_EQ(verified_audit_objects(), (std::vector<std::string>{"logged"}));
}

}  // namespace
}  // namespace clueline::storage
