#include "clueline/storage/group_commit.hpp"

#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "fault_injection_fs.hpp"
#include "rocksdb_store.hpp"
#include "temp_directory.hpp"

namespace clueline::storage {
namespace {

using testing::FaultInjectionFileSystem;
using testing::TempDirectory;

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
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (writer.stats().submissions < 201 && std::chrono::steady_clock::now() < deadline) {
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
    writer.enqueue(put("k" + std::to_string(i), "v"), [&done, i](result<void> r) { done[i].set_value(r); });
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
  writer.enqueue(put("refused", "1"), [&](result<void> r) {
    refused_inline = !r && r.error() == errc::unavailable;
  });
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

}  // namespace
}  // namespace clueline::storage
