// The Store over a failing disk: failed fsyncs, a full disk and power loss
// (unsynced data dropped), through the open_rocksdb_store() Env seam.
#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "fault_injection_fs.hpp"
#include "rocksdb_store.hpp"
#include "temp_directory.hpp"

namespace clueline::storage {
namespace {

using testing::FaultInjectionFileSystem;
using testing::TempDirectory;
using testing::wait_writable;

class FaultInjectionTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> open_store() {
    auto store = open_rocksdb_store(Options{.directory = dir_.path() / "db"}, env_.get());
    EXPECT_TRUE(store) << (store ? "" : store.error().message());
    return store ? std::move(*store) : nullptr;
  }

  static result<void> put(Store& store, Family family, std::string key, std::string value,
                          Durability durability = Durability::kSynced) {
    const std::vector<Mutation> batch{{family, std::move(key), std::move(value)}};
    return store.write(batch, durability);
  }

  static std::uint64_t statistic(const Store& store, std::string_view name) {
    for (const auto& [stat, value] : store.statistics()) {
      if (stat == name) {
        return value;
      }
    }
    ADD_FAILURE() << "no statistic " << name;
    return 0;
  }

  std::shared_ptr<FaultInjectionFileSystem> fs_ = std::make_shared<FaultInjectionFileSystem>();
  std::unique_ptr<rocksdb::Env> env_ = rocksdb::NewCompositeEnv(fs_);
  TempDirectory dir_;
};

TEST_F(FaultInjectionTest, HealthyFileSystemBehavesNormally) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(put(*store, Family::kClues, "c", "v"));
  EXPECT_TRUE(store->check_writable());
  EXPECT_EQ(fs_->injected_failures(), 0u);
  EXPECT_EQ(statistic(*store, "failed_writes"), 0u);
}

TEST_F(FaultInjectionTest, FailedSyncFailsSyncedWriteWithStorageIo) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(put(*store, Family::kClues, "acknowledged", "sealed-1"));

  fs_->fail_syncs(true);
  auto written = put(*store, Family::kClues, "unacknowledged", "sealed-2");
  ASSERT_FALSE(written) << "a write whose fsync failed must not be acknowledged";
  EXPECT_EQ(written.error(), errc::storage_io);
  EXPECT_GT(fs_->injected_failures(), 0u);
  EXPECT_GE(statistic(*store, "failed_writes"), 1u) << "operators must see writes failing";

  auto probed = store->check_writable();
  ASSERT_FALSE(probed);
  EXPECT_EQ(probed.error(), errc::storage_io);
  // Reads keep working while writes are refused.
  EXPECT_EQ(store->get(Family::kClues, "acknowledged").value(), "sealed-1");

  // RocksDB treats a failed WAL sync as fatal: the store stays read-only
  // until it is reopened, even once the disk is healthy again.
  fs_->fail_syncs(false);
  store.reset();
  store = open_store();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->get(Family::kClues, "acknowledged").value(), "sealed-1");
  EXPECT_TRUE(put(*store, Family::kClues, "after", "sealed-3"));
  EXPECT_TRUE(store->check_writable());
}

TEST_F(FaultInjectionTest, BufferedWriteDoesNotWaitForSync) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  fs_->fail_syncs(true);
  // Succeeds only because kBuffered never calls fsync...
  EXPECT_TRUE(put(*store, Family::kAudit, "buffered", "b", Durability::kBuffered));
  EXPECT_EQ(fs_->injected_failures(), 0u);
  // ...while kSynced does.
  auto synced = put(*store, Family::kAudit, "synced", "s", Durability::kSynced);
  ASSERT_FALSE(synced);
  EXPECT_EQ(synced.error(), errc::storage_io);
  EXPECT_GT(fs_->injected_failures(), 0u);
}

TEST_F(FaultInjectionTest, FullDiskFailsWriteWithStorageNoSpaceAndRecovers) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(put(*store, Family::kReceipts, "acknowledged", "r1"));

  fs_->fail_appends_no_space(true);
  auto written = put(*store, Family::kReceipts, "unacknowledged", "r2");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error(), errc::storage_no_space);

  auto probed = store->check_writable();
  ASSERT_FALSE(probed);
  EXPECT_EQ(probed.error(), errc::storage_no_space);
  EXPECT_EQ(store->get(Family::kReceipts, "acknowledged").value(), "r1");

  // Space freed: a full disk is recoverable without a restart.
  fs_->fail_appends_no_space(false);
  auto recovered = wait_writable(*store);
  ASSERT_TRUE(recovered) << recovered.error().message();
  ASSERT_TRUE(put(*store, Family::kReceipts, "after", "r3"));

  store.reset();
  store = open_store();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->get(Family::kReceipts, "acknowledged").value(), "r1");
  EXPECT_EQ(store->get(Family::kReceipts, "after").value(), "r3");
}

TEST_F(FaultInjectionTest, FailedBatchIsAllOrNothingAfterReopen) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  fs_->fail_appends_no_space(true);
  const std::vector<Mutation> batch{{Family::kClues, "c9", "sealed"},
                                    {Family::kQueue, "unit/1/c9", "c9"},
                                    {Family::kReceipts, "h9", "c9"}};
  auto written = store->write(batch);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error(), errc::storage_no_space);
  fs_->fail_appends_no_space(false);
  store.reset();

  store = open_store();
  ASSERT_NE(store, nullptr);
  int present = 0;
  for (const auto& mutation : batch) {
    auto value = store->get(mutation.family, mutation.key);
    if (value) {
      ++present;
    } else {
      EXPECT_EQ(value.error(), errc::not_found);
    }
  }
  EXPECT_TRUE(present == 0 || present == 3) << present << " of 3 mutations survived";
}

TEST_F(FaultInjectionTest, SyncedWritesSurvivePowerLoss) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(put(*store, Family::kClues, "synced/" + std::to_string(i), "s"));
  }
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(
        put(*store, Family::kClues, "buffered/" + std::to_string(i), "b", Durability::kBuffered));
  }
  // The machine dies: nothing more reaches the disk, not even the clean
  // shutdown's WAL sync, and the page cache is lost.
  fs_->set_active(false);
  store.reset();
  fs_->set_active(true);
  EXPECT_GT(fs_->drop_unsynced_data(), 0u);

  store = open_store();
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 50; ++i) {
    auto value = store->get(Family::kClues, "synced/" + std::to_string(i));
    ASSERT_TRUE(value) << "acknowledged synced write " << i << " lost";
    EXPECT_EQ(*value, "s");
  }
  // Proves the simulation really dropped data: the buffered tail is gone.
  EXPECT_EQ(store->get(Family::kClues, "buffered/49").error(), errc::not_found);
  EXPECT_TRUE(put(*store, Family::kClues, "after", "a"));
}

TEST_F(FaultInjectionTest, OpenOnDeadFileSystemFailsWithStorageIo) {
  fs_->set_active(false);
  auto opened = open_rocksdb_store(Options{.directory = dir_.path() / "db"}, env_.get());
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error(), errc::storage_io);
}

}  // namespace
}  // namespace clueline::storage
