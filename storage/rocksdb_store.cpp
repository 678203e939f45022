#include "rocksdb_store.hpp"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <mutex>
#include <string>
#include <system_error>

#include "clueline/storage/stats.hpp"
#include "rocksdb_status.hpp"

namespace clueline::storage {
namespace {

constexpr std::size_t kFamilyCount = kAllFamilies.size();

bool is_known(Family family) { return static_cast<std::size_t>(family) < kFamilyCount; }

bool is_reserved(const Mutation& mutation) {
  return mutation.family == Family::kMeta && mutation.key.starts_with(kReservedMetaPrefix);
}

// The smallest key greater than every key that starts with `prefix`, or ""
// when there is none: the prefix is empty or all 0xff bytes, and then every
// key at or after it starts with it. As the iterator's upper bound this ends
// the scan exactly at the end of the prefix, and RocksDB stops there without
// loading the next block just to find a non-matching key.
std::string prefix_successor(std::string_view prefix) {
  std::string bound(prefix);
  while (!bound.empty()) {
    const auto last = static_cast<unsigned char>(bound.back());
    if (last != 0xff) {
      bound.back() = static_cast<char>(last + 1);
      return bound;
    }
    bound.pop_back();
  }
  return bound;
}

std::optional<std::uint32_t> parse_version(std::string_view text) {
  std::uint32_t version = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, version);
  if (ec != std::errc() || ptr != end || text.empty()) {
    return std::nullopt;
  }
  return version;
}

rocksdb::ReadOptions read_options() {
  rocksdb::ReadOptions options;
  // The default already, but it is the property the design depends on:
  // damaged blocks must fail the read, not be served.
  options.verify_checksums = true;
  return options;
}

class RocksStore final : public Store {
 public:
  RocksStore(std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> handles,
             std::array<rocksdb::ColumnFamilyHandle*, kFamilyCount> families,
             std::shared_ptr<rocksdb::Cache> block_cache)
      : db_(std::move(db)),
        handles_(std::move(handles)),
        families_(families),
        block_cache_(std::move(block_cache)) {}

  ~RocksStore() override {
    // kBuffered writes sit in the page cache until the next synced write;
    // syncing here means a clean shutdown followed by power loss loses
    // nothing. Failures cannot be reported from a destructor, and whatever
    // was acknowledged as kSynced is on disk already. RocksDB 7.8 as shipped
    // by Debian keeps its assertions, and syncing a WAL whose writer has
    // failed aborts the process there, so skip it after any failed write.
    if (failed_writes_ == 0) {
      (void)db_->FlushWAL(/*sync=*/true);
    }
    for (auto* handle : handles_) {
      (void)db_->DestroyColumnFamilyHandle(handle);
    }
    (void)db_->Close();
  }

  result<std::string> get(Family family, std::string_view key) const override {
    if (!is_known(family)) {
      return errc::invalid_argument;
    }
    std::string value;
    const auto status = db_->Get(read_options(), handle(family), key, &value);
    if (!status.ok()) {
      return to_error(status);
    }
    return value;
  }

  result<void> write(std::span<const Mutation> batch, Durability durability) override {
    if (durability != Durability::kSynced && durability != Durability::kBuffered) {
      return errc::invalid_argument;
    }
    // Validate everything before building the batch so a bad mutation
    // anywhere leaves the database untouched.
    for (const auto& mutation : batch) {
      if (!is_known(mutation.family) || is_reserved(mutation)) {
        return errc::invalid_argument;
      }
    }
    if (batch.empty()) {
      return {};
    }
    rocksdb::WriteBatch write_batch;
    for (const auto& mutation : batch) {
      const auto status =
          !mutation.value ? write_batch.Delete(handle(mutation.family), mutation.key)
          : mutation.family == Family::kStats
              ? write_batch.Merge(handle(mutation.family), mutation.key, *mutation.value)
              : write_batch.Put(handle(mutation.family), mutation.key, *mutation.value);
      if (!status.ok()) {
        return to_error(status);
      }
    }
    return commit(write_batch, durability);
  }

  result<std::vector<std::pair<std::string, std::string>>> scan(Family family,
                                                                std::string_view prefix,
                                                                std::size_t limit) const override {
    return scan_from(family, prefix, prefix, limit);
  }

  result<std::vector<std::pair<std::string, std::string>>> scan_from(
      Family family, std::string_view prefix, std::string_view start,
      std::size_t limit) const override {
    if (!is_known(family)) {
      return errc::invalid_argument;
    }
    std::vector<std::pair<std::string, std::string>> pairs;
    if (limit == 0) {
      return pairs;
    }
    auto options = read_options();
    const std::string upper = prefix_successor(prefix);
    const rocksdb::Slice upper_slice(upper);
    if (!upper.empty()) {
      options.iterate_upper_bound = &upper_slice;
    }
    const std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, handle(family)));
    for (it->Seek(std::max(prefix, start)); it->Valid() && pairs.size() < limit; it->Next()) {
      pairs.emplace_back(it->key().ToStringView(), it->value().ToStringView());
    }
    // An iterator that stops early reports why only through status(); a
    // corrupt block would otherwise look like the end of the data.
    if (!it->status().ok()) {
      return to_error(it->status());
    }
    return pairs;
  }

  result<void> check_writable() override {
    // Serialised so that the read-back sees this probe's value and not a
    // concurrent one's; probes are rare, so the lock costs nothing.
    const std::lock_guard lock(probe_mutex_);
    auto probed = probe();
    if (probed) {
      return probed;
    }
    // After a write error RocksDB refuses all writes until recovered.
    // Resume() is a no-op when nothing is wrong and refuses errors RocksDB
    // considers fatal, so trying it here is safe and lets readiness return
    // once, e.g., a full disk has been freed.
    if (!db_->Resume().ok()) {
      return probed;
    }
    return probe();
  }

  std::vector<std::pair<std::string, std::uint64_t>> statistics() const override {
    std::vector<std::pair<std::string, std::uint64_t>> stats;
    const auto add_sum = [&](const std::string& property, std::string name) {
      std::uint64_t total = 0;
      bool any = false;
      for (auto* handle : handles_) {
        std::uint64_t value = 0;
        if (db_->GetIntProperty(handle, property, &value)) {
          total += value;
          any = true;
        }
      }
      if (any) {
        stats.emplace_back(std::move(name), total);
      }
    };
    const auto add_db = [&](const std::string& property, std::string name) {
      std::uint64_t value = 0;
      if (db_->GetIntProperty(property, &value)) {
        stats.emplace_back(std::move(name), value);
      }
    };
    using P = rocksdb::DB::Properties;
    add_sum(P::kEstimateNumKeys, "estimate_num_keys");
    for (const auto family : kAllFamilies) {
      std::uint64_t value = 0;
      if (db_->GetIntProperty(handle(family), P::kEstimateNumKeys, &value)) {
        stats.emplace_back("estimate_num_keys_" + std::string(family_name(family)), value);
      }
    }
    add_sum(P::kTotalSstFilesSize, "total_sst_files_bytes");
    add_sum(P::kLiveSstFilesSize, "live_sst_files_bytes");
    add_sum(P::kEstimateLiveDataSize, "estimate_live_data_bytes");
    add_sum(P::kCurSizeAllMemTables, "memtable_bytes");
    add_sum(P::kNumImmutableMemTable, "immutable_memtables");
    add_sum(P::kEstimateTableReadersMem, "table_readers_bytes");
    add_sum(P::kEstimatePendingCompactionBytes, "estimate_pending_compaction_bytes");
    add_db(P::kNumRunningFlushes, "running_flushes");
    add_db(P::kNumRunningCompactions, "running_compactions");
    add_db(P::kBackgroundErrors, "background_errors");
    stats.emplace_back("failed_writes", failed_writes_.load());
    add_db(P::kIsWriteStopped, "write_stopped");
    add_db(P::kActualDelayedWriteRate, "delayed_write_rate_bytes_per_second");
    add_db(P::kNumSnapshots, "snapshots");

    // Read from the cache itself: the per-family property would count the
    // one shared cache once per family.
    stats.emplace_back("block_cache_usage_bytes", block_cache_->GetUsage());
    stats.emplace_back("block_cache_pinned_usage_bytes", block_cache_->GetPinnedUsage());
    stats.emplace_back("block_cache_capacity_bytes", block_cache_->GetCapacity());

    std::vector<rocksdb::LiveFileMetaData> files;
    db_->GetLiveFilesMetaData(&files);
    stats.emplace_back("live_sst_files", files.size());
    return stats;
  }

  // Checks the format-version record, writing it into a database that has
  // none and holds no data (a new one, or one whose creation was interrupted
  // before the record was written).
  result<void> check_format() {
    auto stored = get(Family::kMeta, kFormatVersionKey);
    if (stored) {
      const auto version = parse_version(*stored);
      if (!version || *version == 0) {
        log_error("clueline storage: unreadable format version record");
        return errc::storage_corruption;
      }
      if (*version > kFormatVersion) {
        log_error("clueline storage: the database has format version " + std::to_string(*version) +
                  ", newer than the " + std::to_string(kFormatVersion) +
                  " this build supports; run a newer clueline");
        return errc::invalid_argument;
      }
      if (*version < kFormatVersion) {
        // Version 1 stored 94-character site tokens, envelopes holding them
        // and unit keys without certificates: none of it is usable now.
        log_error("clueline storage: the database has format version " + std::to_string(*version) +
                  ", made by an earlier clueline whose posters, envelopes and unit keys this "
                  "build cannot use; create a new deployment (a new data directory)");
        return errc::invalid_argument;
      }
      return {};
    }
    if (stored.error() != errc::not_found) {
      return stored.error();
    }
    auto empty = is_empty();
    if (!empty) {
      return empty.error();
    }
    if (!*empty) {
      log_error("clueline storage: the database holds data but no format version record");
      return errc::invalid_argument;
    }
    rocksdb::WriteBatch batch;
    const auto status =
        batch.Put(handle(Family::kMeta), kFormatVersionKey, std::to_string(kFormatVersion));
    if (!status.ok()) {
      return to_error(status);
    }
    return commit(batch, Durability::kSynced);
  }

 private:
  rocksdb::ColumnFamilyHandle* handle(Family family) const {
    return families_[static_cast<std::size_t>(family)];
  }

  result<void> commit(rocksdb::WriteBatch& batch, Durability durability) {
    rocksdb::WriteOptions options;
    options.sync = durability == Durability::kSynced;
    const auto status = db_->Write(options, &batch);
    if (!status.ok()) {
      ++failed_writes_;
      return to_error(status);
    }
    return {};
  }

  result<void> probe() {
    // Wall-clock nanoseconds plus a counter: unique across restarts, so a
    // value left by an earlier run can never pass for this probe's.
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const std::string value =
        std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()) + "-" +
        std::to_string(++probe_count_);
    rocksdb::WriteBatch batch;
    auto status = batch.Put(handle(Family::kMeta), kProbeKey, value);
    if (!status.ok()) {
      return to_error(status);
    }
    if (auto written = commit(batch, Durability::kSynced); !written) {
      return written;
    }
    auto read = get(Family::kMeta, kProbeKey);
    if (!read) {
      return read.error();
    }
    if (*read != value) {
      return errc::storage_corruption;
    }
    return {};
  }

  result<bool> is_empty() const {
    for (auto* handle : handles_) {
      const std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options(), handle));
      it->SeekToFirst();
      if (it->Valid()) {
        return false;
      }
      if (!it->status().ok()) {
        // Spelled out: bool is constructible from error_code, so the
        // implicit conversion would be ambiguous.
        return result<bool>(boost::system::in_place_error, to_error(it->status()));
      }
    }
    return true;
  }

  // Error codes carry no text, so the reason for refusing a database goes to
  // RocksDB's LOG file in the database directory, where operators look.
  void log_error(const std::string& message) const {
    const auto logger = db_->GetDBOptions().info_log;
    if (logger) {
      rocksdb::Log(rocksdb::InfoLogLevel::ERROR_LEVEL, logger, "%s", message.c_str());
      rocksdb::LogFlush(logger);
    }
  }

  std::unique_ptr<rocksdb::DB> db_;
  // Every open column family, including "default" and any this build does
  // not know; the destructor releases them all.
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::array<rocksdb::ColumnFamilyHandle*, kFamilyCount> families_;
  std::shared_ptr<rocksdb::Cache> block_cache_;
  // Failed write batches since open. RocksDB's own counters miss failures
  // of the WAL, which are the ones that stop all writes. Also consulted by
  // the destructor: telling whether the failed WAL writer has since been
  // replaced would need RocksDB internals, and the only cost of erring is
  // skipping the final WAL sync.
  std::atomic<std::uint64_t> failed_writes_{0};
  std::mutex probe_mutex_;
  std::uint64_t probe_count_ = 0;  // guarded by probe_mutex_
};

rocksdb::DBOptions db_options(const Options& options, rocksdb::Env* env) {
  rocksdb::DBOptions db;
  db.env = env;
  db.create_if_missing = options.create_if_missing;
  db.create_missing_column_families = true;
  // Stop writes on any background error instead of carrying on over
  // possibly damaged state (the default, stated because we rely on it).
  db.paranoid_checks = true;
  // A crash can leave a torn record at the end of the WAL. Point-in-time
  // recovery replays everything before it, which includes every synced
  // (acknowledged) write, instead of refusing to open.
  db.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  // Nine families with very different write rates: a rarely written one
  // would pin old WAL files until the default cap (about 1 GB here), so
  // force its flush sooner; this also bounds recovery time.
  db.max_total_wal_size = 128 << 20;
  // Caps all memtables together; the per-family defaults would allow ~1 GB.
  db.db_write_buffer_size = 64 << 20;
  db.keep_log_file_num = 10;
  db.max_log_file_size = 16 << 20;
  return db;
}

// Adds 8-byte little-endian signed deltas (Family::kStats). A value of
// another size fails the merge, which RocksDB reports as corruption.
class AddInt64 : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& /*key*/, const rocksdb::Slice* existing,
             const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger* /*logger*/) const override {
    std::optional<std::int64_t> sum = std::int64_t{0};
    if (existing != nullptr) sum = decode_count(existing->ToStringView());
    const auto delta = decode_count(value.ToStringView());
    if (!sum || !delta) return false;
    // Unsigned arithmetic: a corrupt count wraps instead of overflowing.
    *new_value = encode_count(static_cast<std::int64_t>(static_cast<std::uint64_t>(*sum) +
                                                        static_cast<std::uint64_t>(*delta)));
    return true;
  }
  const char* Name() const override { return "clueline.AddInt64"; }
};

rocksdb::ColumnFamilyOptions family_options(const std::shared_ptr<rocksdb::Cache>& cache,
                                            std::string_view name) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Point lookups (receipts, challenges, clue ids) mostly hit or miss in one
  // family; a bloom filter saves a block read per miss.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.checksum = rocksdb::kXXH3;
  rocksdb::ColumnFamilyOptions family;
  family.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  family.write_buffer_size = 16 << 20;
  if (name == family_name(Family::kStats)) {
    family.merge_operator = std::make_shared<AddInt64>();
  }
  if (name == family_name(Family::kClues)) {
    // Sealed envelopes, notes and attachment parts: ciphertext, which no
    // compressor shrinks, written once and never changed. Values of 1 KiB
    // and more (every envelope, every attachment part) go to blob files, so
    // compaction moves their keys and not their bytes again and again.
    family.compression = rocksdb::kNoCompression;
    family.enable_blob_files = true;
    family.min_blob_size = 1024;
    family.blob_compression_type = rocksdb::kNoCompression;
    // Blob files whose clues have been purged are rewritten and dropped.
    family.enable_blob_garbage_collection = true;
    family.write_buffer_size = 32 << 20;
  }
  return family;
}

}  // namespace

result<std::unique_ptr<Store>> open_rocksdb_store(const Options& options, rocksdb::Env* env) {
  if (options.directory.empty() || env == nullptr) {
    return errc::invalid_argument;
  }
  const std::string directory = options.directory.string();
  const auto db = db_options(options, env);

  // Decide "new or existing" before DB::Open, which would otherwise report a
  // missing database as InvalidArgument.
  const auto current = env->FileExists(directory + "/CURRENT");
  if (!current.ok() && !current.IsNotFound()) {
    return to_error(current);
  }
  const bool exists = current.ok();
  if (!exists) {
    if (!options.create_if_missing || options.read_only) {
      return errc::not_found;
    }
    // RocksDB creates only the last path component.
    std::error_code ec;
    std::filesystem::create_directories(options.directory, ec);
    if (ec) {
      return ec == std::errc::no_space_on_device ? errc::storage_no_space : errc::storage_io;
    }
  }

  // Open every family the database already has, known or not: RocksDB
  // refuses to open a database without naming all of them, and a database
  // from a newer build (which may add families) should fail on the version
  // check with a clear reason rather than here.
  std::vector<std::string> names;
  if (exists) {
    const auto status = rocksdb::DB::ListColumnFamilies(db, directory, &names);
    if (!status.ok()) {
      return to_error(status);
    }
  }
  const auto add_name = [&names](std::string_view name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      names.emplace_back(name);
    }
  };
  add_name(rocksdb::kDefaultColumnFamilyName);
  for (const auto family : kAllFamilies) {
    add_name(family_name(family));
  }

  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.reserve(names.size());
  for (const auto& name : names) {
    descriptors.emplace_back(name, family_options(cache, name));
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  const auto status = options.read_only
                          ? rocksdb::DB::OpenForReadOnly(db, directory, descriptors, &handles, &raw)
                          : rocksdb::DB::Open(db, directory, descriptors, &handles, &raw);
  if (!status.ok()) {
    return to_error(status);
  }
  std::unique_ptr<rocksdb::DB> opened(raw);

  std::array<rocksdb::ColumnFamilyHandle*, kFamilyCount> families{};
  bool all_found = true;
  for (std::size_t i = 0; i < kFamilyCount; ++i) {
    const auto name = family_name(kAllFamilies[i]);
    const auto found = std::find_if(handles.begin(), handles.end(),
                                    [name](auto* handle) { return handle->GetName() == name; });
    all_found = all_found && found != handles.end();
    families[i] = found != handles.end() ? *found : nullptr;
  }

  // Built before any further check so that every exit path closes the
  // database through the destructor.
  auto store = std::make_unique<RocksStore>(std::move(opened), std::move(handles), families,
                                            std::move(cache));
  if (!all_found) {
    return errc::internal;  // DB::Open returns one handle per descriptor
  }
  if (auto checked = store->check_format(); !checked) {
    return checked.error();
  }
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace clueline::storage
