// The storage interface: an ordered key/value store with column families,
// atomic multi-family batches and explicit durability, backed by RocksDB.
//
// The implementation is private (storage/rocksdb_store.cpp); nothing RocksDB
// appears here, so the rest of clueline compiles without RocksDB headers and
// tests can substitute their own Store.
//
// Errors. Every fallible call returns clueline::result<T> carrying a
// clueline::errc; no exception crosses this interface. The values used are:
//   not_found           the key (or, from open(), the database) does not exist
//   invalid_argument    the caller passed something this module refuses
//                       (unknown Family, reserved key, bad Options, a database
//                       written by a newer clueline)
//   storage_io          the disk or the database could not read or write
//   storage_no_space    the disk is full
//   storage_corruption  a checksum or format check failed; the damaged data
//                       is never returned as if it were valid
//
// Thread safety. A Store is safe to use from many threads at once without
// external locking, except that the destructor must not run while another
// thread is still inside a method. Every method may block on disk I/O, so
// callers keep them off network threads.
//
// Example:
//   auto store = clueline::storage::Store::open({.directory = "/var/lib/clueline/db"});
//   if (!store) return store.error();
//   std::vector<Mutation> batch{{Family::kClues, id, sealed}};
//   if (auto written = (*store)->write(batch); !written) return written.error();
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clueline/common/error.hpp"

namespace clueline::storage {

// Column families, one per entity plus secondary indexes (DESIGN.md, "Data
// model"). Keys are ordered bytewise within a family; families are
// independent key spaces.
//
// Keys in kMeta that begin with "storage." are reserved for this module (the
// format-version record and the readiness probe); write() refuses them.
enum class Family : std::uint8_t {
  kMeta,
  kUnits,
  kSites,
  kClues,
  kQueue,
  kReceipts,
  kAccounts,
  kAudit,
  kChallenges,
  kDeadlines,
  // Counters (storage/stats.hpp): every value written here is an 8-byte
  // little-endian signed delta that write() adds to the stored count (a
  // RocksDB merge), so concurrent batches never lose an update; get()
  // returns the count in the same encoding.
  kStats,
};

// The on-disk column family name of `f`: "meta", "units", "sites", "clues",
// "queue", "receipts", "accounts", "audit", "challenges", "deadlines", "stats". These names are
// part of the on-disk format and never change. RocksDB's "default" family
// holds no data. Returns "unknown" for a value outside the enum.
std::string_view family_name(Family f) noexcept;

// One put or delete inside a batch.
struct Mutation {
  Family family;
  std::string key;
  std::optional<std::string> value;  // std::nullopt deletes `key`
};

enum class Durability {
  // The write-ahead log is fsync'ed before write() returns: the batch
  // survives power loss. Use for anything acknowledged to a user.
  kSynced,
  // The batch is handed to the operating system before write() returns: it
  // survives a crash of this process (kill -9) but may be lost with the
  // machine (power loss, kernel panic). A later kSynced write, or closing the
  // Store, makes it durable too.
  kBuffered,
};

struct Options {
  // The database directory. Must not be empty. Created, with its parents, if
  // missing and create_if_missing is set. Only one Store (in any process)
  // may have a directory open at a time.
  std::filesystem::path directory;
  // If false, open() fails with errc::not_found when `directory` holds no
  // database.
  bool create_if_missing = true;
  // Capacity of the block cache, shared by all families.
  std::size_t block_cache_bytes = 64 << 20;
  // Opens an existing database for reading only (RocksDB's
  // OpenForReadOnly), without its lock, so that a tool may read it while the
  // server holds it: it sees what was synced before the open. Writes then
  // fail; create_if_missing is ignored (not_found if there is no database).
  bool read_only = false;
};

class Store {
 public:
  // Opens the database in options.directory, creating it and any missing
  // column families as options allow. On first creation a format-version
  // record is written to kMeta with a synced write.
  //
  // Fails with:
  //   invalid_argument    directory is empty; the database was written by a
  //                       newer clueline storage format (the reason is also
  //                       written to RocksDB's LOG file in the directory); or
  //                       it holds data but no clueline format record (it is
  //                       not a clueline database)
  //   not_found           no database and create_if_missing is false
  //   storage_io          the directory is unreadable or locked by another
  //                       open Store
  //   storage_corruption  the database files fail their checks
  //
  // On success the caller owns the Store; destroying it closes the database.
  static result<std::unique_ptr<Store>> open(const Options& options);

  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Closes the database cleanly: syncs the write-ahead log (so kBuffered
  // writes become durable) and releases the directory lock. Errors during
  // close cannot be reported; whatever was acknowledged by a kSynced write
  // stays durable regardless.
  virtual ~Store();

  // The value stored under `key` in `family`.
  // Fails with not_found if the key is absent (an empty value is a value),
  // invalid_argument for an unknown family, storage_corruption if the data
  // read fails its checksum, storage_io otherwise.
  virtual result<std::string> get(Family family, std::string_view key) const = 0;

  // Applies all mutations atomically, as one RocksDB WriteBatch: after a
  // crash either every mutation is visible or none is, and concurrent
  // readers never observe part of a batch through scan(). Mutations apply in
  // order, so a later one on the same key wins. This is the group-commit
  // unit: callers gather pending submissions into one batch to share one
  // fsync (concurrent kSynced writers are also grouped by RocksDB).
  //
  // An empty batch succeeds without touching the disk. If any mutation names
  // an unknown family or a reserved kMeta key, nothing is applied and the
  // result is invalid_argument. Disk errors give storage_io or
  // storage_no_space; after such an error the batch may or may not have been
  // applied, and the database may refuse further writes until check_writable()
  // recovers it or, for errors RocksDB deems fatal (e.g. a failed fsync), until
  // the Store is reopened.
  virtual result<void> write(std::span<const Mutation> batch,
                             Durability durability = Durability::kSynced) = 0;

  // Up to `limit` key/value pairs of `family` whose key starts with `prefix`
  // (the empty prefix matches every key), in ascending bytewise key order,
  // read from one consistent snapshot. limit == 0 gives an empty vector.
  // Fails like get(), except that absence is an empty vector, not not_found.
  virtual result<std::vector<std::pair<std::string, std::string>>> scan(
      Family family, std::string_view prefix, std::size_t limit) const = 0;

  // scan() starting at the first key >= `start` (a key that starts with
  // `prefix`, or anything: keys before the prefix are skipped, keys past it
  // end the scan): the next page of a cursor-paged listing costs the same
  // wherever it starts.
  virtual result<std::vector<std::pair<std::string, std::string>>> scan_from(
      Family family, std::string_view prefix, std::string_view start, std::size_t limit) const = 0;

  // Readiness probe: a kSynced write of a fresh value to a reserved kMeta key,
  // then a read-back that must return that value. If the database refuses
  // writes after an earlier error, asks RocksDB to recover once before
  // reporting failure, so a disk that was full and has been freed comes back.
  // Fails with the errc of the failing step (storage_io, storage_no_space,
  // storage_corruption); a read-back mismatch is storage_corruption.
  virtual result<void> check_writable() = 0;

  // Gauges for Prometheus, as {name, value} pairs. Names are stable snake_case
  // suffixes, unique within the vector, e.g. "estimate_num_keys",
  // "estimate_num_keys_clues" (one per family), "total_sst_files_bytes",
  // "live_sst_files", "memtable_bytes", "block_cache_usage_bytes",
  // "block_cache_capacity_bytes", "background_errors", "write_stopped",
  // "failed_writes" (write() calls that failed on the disk since open; the
  // one to alert on, as RocksDB's own counters miss write-ahead-log errors).
  // Values RocksDB cannot report at the moment are left out rather than
  // reported as 0. Never fails and does no disk I/O beyond RocksDB's own
  // bookkeeping.
  virtual std::vector<std::pair<std::string, std::uint64_t>> statistics() const = 0;
};

}  // namespace clueline::storage
