#include "clueline/storage/store.hpp"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "clueline/storage/stats.hpp"
#include "rocksdb_store.hpp"
#include "temp_directory.hpp"

namespace clueline::storage {
namespace {

using testing::TempDirectory;
using Pairs = std::vector<std::pair<std::string, std::string>>;

class StoreTest : public ::testing::Test {
 protected:
  Options options() const { return Options{.directory = dir_.path() / "db"}; }

  std::unique_ptr<Store> open_store() {
    auto store = Store::open(options());
    EXPECT_TRUE(store) << (store ? "" : store.error().message());
    return store ? std::move(*store) : nullptr;
  }

  static void put(Store& store, Family family, std::string key, std::string value,
                  Durability durability = Durability::kSynced) {
    const std::vector<Mutation> batch{{family, std::move(key), std::move(value)}};
    const auto written = store.write(batch, durability);
    ASSERT_TRUE(written) << written.error().message();
  }

  // Writes `value` straight into the kMeta family with RocksDB, bypassing the
  // Store's refusal of reserved keys: how a newer or damaged build would
  // leave the directory.
  void put_raw_meta(std::string_view key, std::string_view value) {
    const std::string path = options().directory.string();
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    descriptors.reserve(names.size());
    for (const auto& name : names) {
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), path, descriptors, &handles, &db).ok());
    const auto meta = std::find_if(handles.begin(), handles.end(),
                                   [](auto* handle) { return handle->GetName() == "meta"; });
    ASSERT_NE(meta, handles.end());
    EXPECT_TRUE(db->Put(rocksdb::WriteOptions(), *meta, key, value).ok());
    for (auto* handle : handles) {
      EXPECT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
    }
    EXPECT_TRUE(db->Close().ok());
    delete db;
  }

  TempDirectory dir_;
};

TEST(FamilyName, NamesAreTheOnDiskColumnFamilyNames) {
  EXPECT_EQ(family_name(Family::kMeta), "meta");
  EXPECT_EQ(family_name(Family::kUnits), "units");
  EXPECT_EQ(family_name(Family::kSites), "sites");
  EXPECT_EQ(family_name(Family::kClues), "clues");
  EXPECT_EQ(family_name(Family::kQueue), "queue");
  EXPECT_EQ(family_name(Family::kReceipts), "receipts");
  EXPECT_EQ(family_name(Family::kAccounts), "accounts");
  EXPECT_EQ(family_name(Family::kAudit), "audit");
  EXPECT_EQ(family_name(Family::kChallenges), "challenges");
  EXPECT_EQ(family_name(Family::kDeadlines), "deadlines");
  EXPECT_EQ(family_name(Family::kStats), "stats");
  EXPECT_EQ(family_name(static_cast<Family>(200)), "unknown");
}

TEST_F(StoreTest, OpenCreatesDatabaseWithEveryFamilyAndFormatRecord) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(std::filesystem::exists(options().directory / "CURRENT"));

  auto version = store->get(Family::kMeta, kFormatVersionKey);
  ASSERT_TRUE(version);
  EXPECT_EQ(*version, std::to_string(kFormatVersion));
  store.reset();

  std::vector<std::string> names;
  ASSERT_TRUE(
      rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), options().directory.string(), &names)
          .ok());
  for (const auto family : kAllFamilies) {
    EXPECT_NE(std::find(names.begin(), names.end(), family_name(family)), names.end())
        << family_name(family);
  }
}

TEST_F(StoreTest, OpenCreatesMissingParentDirectories) {
  auto opened = Store::open({.directory = dir_.path() / "a" / "b" / "db"});
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "a" / "b" / "db" / "CURRENT"));
}

TEST_F(StoreTest, OpenWithoutCreateIfMissingIsNotFound) {
  auto opts = options();
  opts.create_if_missing = false;
  auto opened = Store::open(opts);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error(), errc::not_found);
  EXPECT_FALSE(std::filesystem::exists(opts.directory));
}

TEST_F(StoreTest, OpenWithoutCreateIfMissingOpensExistingDatabase) {
  {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    put(*store, Family::kClues, "c1", "sealed");
  }
  auto opts = options();
  opts.create_if_missing = false;
  auto opened = Store::open(opts);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ((*opened)->get(Family::kClues, "c1").value(), "sealed");
}

TEST_F(StoreTest, OpenRejectsEmptyDirectory) {
  auto opened = Store::open(Options{});
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error(), errc::invalid_argument);
}

TEST_F(StoreTest, SecondOpenOfTheSameDirectoryFails) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto second = Store::open(options());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error(), errc::storage_io);
  // The failed open must not disturb the first.
  put(*store, Family::kUnits, "u", "still writable");
  EXPECT_EQ(store->get(Family::kUnits, "u").value(), "still writable");
}

TEST_F(StoreTest, WriteGetRoundTripInEveryFamilyKeepsFamiliesApart) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  // kStats adds what is written to what is stored: 8-byte counts.
  const auto value_of = [](Family family) {
    return family == Family::kStats ? encode_count(static_cast<std::int64_t>(family) + 40)
                                    : "value of " + std::string(family_name(family));
  };
  for (const auto family : kAllFamilies) put(*store, family, "same-key", value_of(family));
  for (const auto family : kAllFamilies) {
    auto value = store->get(family, "same-key");
    ASSERT_TRUE(value) << family_name(family) << ": " << value.error().message();
    EXPECT_EQ(*value, value_of(family));
  }
  put(*store, Family::kStats, "same-key", encode_count(-2));
  EXPECT_EQ(decode_count(store->get(Family::kStats, "same-key").value()),
            static_cast<std::int64_t>(Family::kStats) + 38);
}

TEST_F(StoreTest, BinaryKeysAndValuesAndEmptyValueRoundTrip) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  const std::string key("k\0\xff\x01", 4);
  const std::string value("\0v\0\x80", 4);
  put(*store, Family::kReceipts, key, value);
  put(*store, Family::kReceipts, "empty", "");
  EXPECT_EQ(store->get(Family::kReceipts, key).value(), value);
  auto empty = store->get(Family::kReceipts, "empty");
  ASSERT_TRUE(empty) << "an empty value is a value, not absence";
  EXPECT_EQ(*empty, "");
}

TEST_F(StoreTest, GetOfAbsentKeyIsNotFound) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  put(*store, Family::kClues, "present", "x");
  auto absent = store->get(Family::kClues, "absent");
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error(), errc::not_found);
  // The same key in another family is absent too.
  auto other = store->get(Family::kSites, "present");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error(), errc::not_found);
}

TEST_F(StoreTest, ReopenKeepsSyncedAndBufferedData) {
  {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    put(*store, Family::kClues, "synced", "s", Durability::kSynced);
    put(*store, Family::kAudit, "buffered", "b", Durability::kBuffered);
  }
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->get(Family::kClues, "synced").value(), "s");
  EXPECT_EQ(store->get(Family::kAudit, "buffered").value(), "b");
  EXPECT_EQ(store->get(Family::kMeta, kFormatVersionKey).value(), std::to_string(kFormatVersion));
}

TEST_F(StoreTest, DeleteRemovesKeyAndSurvivesReopen) {
  {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    put(*store, Family::kChallenges, "c", "1");
    put(*store, Family::kChallenges, "keep", "2");
    const std::vector<Mutation> erase{{Family::kChallenges, "c", std::nullopt}};
    ASSERT_TRUE(store->write(erase));
    EXPECT_EQ(store->get(Family::kChallenges, "c").error(), errc::not_found);
    // Deleting an absent key is not an error.
    const std::vector<Mutation> erase_absent{{Family::kChallenges, "never", std::nullopt}};
    EXPECT_TRUE(store->write(erase_absent));
  }
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->get(Family::kChallenges, "c").error(), errc::not_found);
  EXPECT_EQ(store->get(Family::kChallenges, "keep").value(), "2");
}

TEST_F(StoreTest, LaterMutationOfTheSameKeyInABatchWins) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  const std::vector<Mutation> batch{
      {Family::kQueue, "k", "first"},
      {Family::kQueue, "k", "second"},
      {Family::kQueue, "gone", "x"},
      {Family::kQueue, "gone", std::nullopt},
  };
  ASSERT_TRUE(store->write(batch));
  EXPECT_EQ(store->get(Family::kQueue, "k").value(), "second");
  EXPECT_EQ(store->get(Family::kQueue, "gone").error(), errc::not_found);
}

TEST_F(StoreTest, ScanReturnsPrefixMatchesInKeyOrder) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  // Written out of order, with neighbours on both sides of the prefix.
  for (const char* key : {"q/3", "q/1", "r/0", "q", "p/9", "q/10", "q/2", "q0"}) {
    put(*store, Family::kQueue, key, std::string("v") + key);
  }
  auto all = store->scan(Family::kQueue, "q/", 100);
  ASSERT_TRUE(all) << all.error().message();
  EXPECT_EQ(*all, (Pairs{{"q/1", "vq/1"}, {"q/10", "vq/10"}, {"q/2", "vq/2"}, {"q/3", "vq/3"}}));

  auto limited = store->scan(Family::kQueue, "q/", 2);
  ASSERT_TRUE(limited);
  EXPECT_EQ(*limited, (Pairs{{"q/1", "vq/1"}, {"q/10", "vq/10"}}));

  auto everything = store->scan(Family::kQueue, "", 100);
  ASSERT_TRUE(everything);
  ASSERT_EQ(everything->size(), 8u);
  EXPECT_TRUE(std::is_sorted(everything->begin(), everything->end()));
  EXPECT_EQ(everything->front().first, "p/9");
  EXPECT_EQ(everything->back().first, "r/0");
}

TEST_F(StoreTest, ScanFromStartsAtAKeyAndStaysInThePrefix) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  for (const char* key : {"q/1", "q/2", "q/3", "p/9", "r/0"}) put(*store, Family::kQueue, key, "v");
  const auto keys = [&](std::string_view start, std::size_t limit) {
    std::vector<std::string> found;
    for (auto& [key, value] : store->scan_from(Family::kQueue, "q/", start, limit).value()) {
      found.push_back(key);
    }
    return found;
  };
  using Keys = std::vector<std::string>;
  EXPECT_EQ(keys("q/2", 10), (Keys{"q/2", "q/3"}));             // inclusive
  EXPECT_EQ(keys(std::string("q/2\0", 4), 10), (Keys{"q/3"}));  // after q/2: its successor
  EXPECT_EQ(keys("q/1", 1), (Keys{"q/1"}));                     // the limit holds
  EXPECT_EQ(keys("a", 10), (Keys{"q/1", "q/2", "q/3"}));        // before the prefix: from it
  EXPECT_EQ(keys("q/4", 10), Keys{});                           // past the last
  EXPECT_EQ(keys("s", 10), Keys{});                             // past the prefix
}

TEST_F(StoreTest, ScanHandlesHighBytePrefixes) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  const std::string ff("\xff", 1);
  const std::string ff_ff("\xff\xff", 2);
  const std::string a_ff("a\xff", 2);
  for (const auto& key : {ff, ff + "a", ff_ff, ff_ff + "z", a_ff, a_ff + "1", std::string("b")}) {
    put(*store, Family::kAudit, key, "v");
  }
  auto under_ff = store->scan(Family::kAudit, ff, 100);
  ASSERT_TRUE(under_ff);
  ASSERT_EQ(under_ff->size(), 4u);
  EXPECT_EQ((*under_ff)[0].first, ff);
  EXPECT_EQ((*under_ff)[3].first, ff_ff + "z");

  auto under_a_ff = store->scan(Family::kAudit, a_ff, 100);
  ASSERT_TRUE(under_a_ff);
  ASSERT_EQ(under_a_ff->size(), 2u);
  EXPECT_EQ((*under_a_ff)[1].first, a_ff + "1");
}

TEST_F(StoreTest, ScanOfNoMatchesOrZeroLimitIsEmptyNotAnError) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  put(*store, Family::kSites, "s/1", "x");
  auto none = store->scan(Family::kSites, "t/", 10);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  auto zero = store->scan(Family::kSites, "s/", 0);
  ASSERT_TRUE(zero);
  EXPECT_TRUE(zero->empty());
  auto empty_family = store->scan(Family::kAccounts, "", 10);
  ASSERT_TRUE(empty_family);
  EXPECT_TRUE(empty_family->empty());
}

TEST_F(StoreTest, BatchWithAnInvalidMutationAppliesNothing) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  const std::vector<Mutation> bad_family{
      {Family::kClues, "c1", "sealed"},
      {Family::kQueue, "q/c1", "c1"},
      {static_cast<Family>(42), "x", "y"},
  };
  auto written = store->write(bad_family);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error(), errc::invalid_argument);
  EXPECT_EQ(store->get(Family::kClues, "c1").error(), errc::not_found);
  EXPECT_EQ(store->get(Family::kQueue, "q/c1").error(), errc::not_found);
}

TEST_F(StoreTest, ReservedMetaKeysAreRefused) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  const std::vector<Mutation> overwrite{{Family::kMeta, std::string(kFormatVersionKey), "999"}};
  EXPECT_EQ(store->write(overwrite).error(), errc::invalid_argument);
  const std::vector<Mutation> erase{{Family::kMeta, std::string(kFormatVersionKey), std::nullopt}};
  EXPECT_EQ(store->write(erase).error(), errc::invalid_argument);
  EXPECT_EQ(store->get(Family::kMeta, kFormatVersionKey).value(), std::to_string(kFormatVersion));
  // The same key is ordinary in other families, and other meta keys are free.
  const std::vector<Mutation> fine{{Family::kUnits, std::string(kFormatVersionKey), "1"},
                                   {Family::kMeta, "routing.policy_version", "3"}};
  EXPECT_TRUE(store->write(fine));
}

TEST_F(StoreTest, UnknownFamilyOrDurabilityIsInvalidArgument) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  const auto bogus = static_cast<Family>(kAllFamilies.size());
  EXPECT_EQ(store->get(bogus, "k").error(), errc::invalid_argument);
  EXPECT_EQ(store->scan(bogus, "", 1).error(), errc::invalid_argument);
  const std::vector<Mutation> batch{{Family::kClues, "k", "v"}};
  EXPECT_EQ(store->write(batch, static_cast<Durability>(7)).error(), errc::invalid_argument);
  EXPECT_EQ(store->get(Family::kClues, "k").error(), errc::not_found);
}

TEST_F(StoreTest, EmptyBatchSucceeds) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->write(std::span<const Mutation>{}));
}

TEST_F(StoreTest, CheckWritableSucceedsAndLeavesAFreshProbe) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->check_writable());
  auto first = store->get(Family::kMeta, kProbeKey);
  ASSERT_TRUE(first);
  ASSERT_TRUE(store->check_writable());
  auto second = store->get(Family::kMeta, kProbeKey);
  ASSERT_TRUE(second);
  EXPECT_NE(*first, *second) << "each probe must write a new value";
}

TEST_F(StoreTest, StatisticsReportKeysCacheAndFiles) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 25; ++i) {
    put(*store, Family::kClues, "clue/" + std::to_string(i), std::string(100, 'x'));
  }
  const auto stats = store->statistics();
  ASSERT_FALSE(stats.empty());

  std::set<std::string> names;
  const std::regex snake_case("[a-z][a-z0-9_]*");
  for (const auto& [name, value] : stats) {
    EXPECT_TRUE(std::regex_match(name, snake_case)) << name;
    EXPECT_TRUE(names.insert(name).second) << "duplicate " << name;
  }
  const auto value_of = [&stats](std::string_view name) -> std::optional<std::uint64_t> {
    for (const auto& [n, v] : stats) {
      if (n == name) {
        return v;
      }
    }
    return std::nullopt;
  };
  ASSERT_TRUE(value_of("estimate_num_keys"));
  EXPECT_GE(*value_of("estimate_num_keys"), 25u);
  ASSERT_TRUE(value_of("estimate_num_keys_clues"));
  EXPECT_EQ(*value_of("estimate_num_keys_clues"), 25u);
  EXPECT_EQ(value_of("estimate_num_keys_units"), 0u);
  EXPECT_EQ(value_of("block_cache_capacity_bytes"), options().block_cache_bytes);
  ASSERT_TRUE(value_of("memtable_bytes"));
  EXPECT_GT(*value_of("memtable_bytes"), 25u * 100u);
  EXPECT_EQ(value_of("background_errors"), 0u);
  EXPECT_EQ(value_of("write_stopped"), 0u);
  for (const char* name : {"total_sst_files_bytes", "live_sst_files", "block_cache_usage_bytes"}) {
    EXPECT_TRUE(value_of(name)) << name;
  }
}

TEST_F(StoreTest, StatisticsCountSstFilesAfterRecovery) {
  {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    put(*store, Family::kClues, "c", std::string(1000, 'x'));
  }
  // Reopening replays the WAL and flushes it into a table file.
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  const auto stats = store->statistics();
  const auto live = std::find_if(stats.begin(), stats.end(),
                                 [](const auto& stat) { return stat.first == "live_sst_files"; });
  ASSERT_NE(live, stats.end());
  EXPECT_GE(live->second, 1u);
  const auto bytes = std::find_if(stats.begin(), stats.end(), [](const auto& stat) {
    return stat.first == "total_sst_files_bytes";
  });
  ASSERT_NE(bytes, stats.end());
  EXPECT_GT(bytes->second, 1000u);
}

TEST_F(StoreTest, RefusesDatabaseWithNewerFormatVersion) {
  {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    put(*store, Family::kClues, "c", "v");
  }
  put_raw_meta(kFormatVersionKey, std::to_string(kFormatVersion + 1));
  auto opened = Store::open(options());
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error(), errc::invalid_argument);

  // The reason is written where operators look.
  std::ifstream log(options().directory / "LOG");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("newer than"), std::string::npos);

  // Refusing must leave the record alone: a newer build still opens it.
  put_raw_meta(kFormatVersionKey, std::to_string(kFormatVersion));
  auto reopened = Store::open(options());
  ASSERT_TRUE(reopened) << reopened.error().message();
  EXPECT_EQ((*reopened)->get(Family::kClues, "c").value(), "v");
}

TEST_F(StoreTest, RefusesDatabaseWithOlderFormatVersion) {
  {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    put(*store, Family::kClues, "c", "v");
  }
  put_raw_meta(kFormatVersionKey, std::to_string(kFormatVersion - 1));
  auto opened = Store::open(options());
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error(), errc::invalid_argument);
  std::ifstream log(options().directory / "LOG");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("create a new deployment"), std::string::npos);
}

TEST_F(StoreTest, GarbledFormatVersionIsCorruption) {
  { ASSERT_NE(open_store(), nullptr); }
  put_raw_meta(kFormatVersionKey, "one");
  auto opened = Store::open(options());
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error(), errc::storage_corruption);
}

TEST_F(StoreTest, RefusesForeignDatabaseWithDataButNoFormatRecord) {
  {
    rocksdb::Options raw;
    raw.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(raw, options().directory.string(), &db).ok());
    EXPECT_TRUE(db->Put(rocksdb::WriteOptions(), "someone else's", "data").ok());
    delete db;
  }
  auto opened = Store::open(options());
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error(), errc::invalid_argument);
}

TEST_F(StoreTest, AdoptsEmptyDatabaseWithoutFormatRecord) {
  // As left by a first start that died between creating the database and
  // writing the format record.
  {
    rocksdb::Options raw;
    raw.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(raw, options().directory.string(), &db).ok());
    delete db;
  }
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->get(Family::kMeta, kFormatVersionKey).value(), std::to_string(kFormatVersion));
}

TEST_F(StoreTest, CorruptTableFileIsReportedNeverServed) {
  // Letters with no repeats long enough for the compressor to touch, so the
  // value appears verbatim in the table file and can be found and damaged.
  std::string value;
  std::minstd_rand random(7);
  for (int i = 0; i < 256; ++i) {
    value.push_back(static_cast<char>('a' + random() % 26));
  }
  {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    put(*store, Family::kClues, "victim", value);
  }
  { ASSERT_NE(open_store(), nullptr); }  // recovery flushes the WAL into a table file

  int damaged = 0;
  for (const auto& entry : std::filesystem::directory_iterator(options().directory)) {
    if (entry.path().extension() != ".sst") {
      continue;
    }
    std::fstream file(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    const auto at = bytes.find(value);
    if (at == std::string::npos) {
      continue;
    }
    file.seekp(static_cast<std::streamoff>(at + value.size() / 2));
    file.put(value[value.size() / 2] == 'x' ? 'y' : 'x');
    ++damaged;
  }
  ASSERT_EQ(damaged, 1) << "the value should be in exactly one table file";

  auto opened = Store::open(options());
  if (!opened) {
    EXPECT_EQ(opened.error(), errc::storage_corruption);
    return;
  }
  auto read = (*opened)->get(Family::kClues, "victim");
  ASSERT_FALSE(read) << "corrupt data was served";
  EXPECT_EQ(read.error(), errc::storage_corruption);
  auto scanned = (*opened)->scan(Family::kClues, "", 10);
  ASSERT_FALSE(scanned) << "corrupt data was served by scan";
  EXPECT_EQ(scanned.error(), errc::storage_corruption);
}

TEST_F(StoreTest, ConcurrentWritersAndReadersLoseNothing) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 100;
  std::atomic<bool> failed{false};
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  threads.reserve(kWriters);
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        const std::string id = std::to_string(w) + "/" + std::to_string(i);
        // One clue and its queue entry: always written together.
        const std::vector<Mutation> batch{{Family::kClues, id, "c" + id},
                                          {Family::kQueue, "q/" + id, id}};
        if (!store->write(batch, i % 2 == 0 ? Durability::kSynced : Durability::kBuffered)) {
          failed = true;
        }
      }
    });
  }
  std::thread reader([&] {
    while (!done) {
      auto queue = store->scan(Family::kQueue, "q/", 1000);
      if (!queue) {
        failed = true;
        return;
      }
      for (const auto& [key, id] : *queue) {
        // The batch was atomic: a queue entry never points at a missing clue.
        if (!store->get(Family::kClues, id)) {
          failed = true;
        }
      }
      if (!store->check_writable()) {
        failed = true;
      }
    }
  });
  for (auto& thread : threads) {
    thread.join();
  }
  done = true;
  reader.join();
  EXPECT_FALSE(failed);
  auto queue = store->scan(Family::kQueue, "q/", 1000);
  ASSERT_TRUE(queue);
  EXPECT_EQ(queue->size(), static_cast<std::size_t>(kWriters * kPerWriter));
}

}  // namespace
}  // namespace clueline::storage
