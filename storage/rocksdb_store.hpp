// The RocksDB implementation of Store (private to storage/ and its tests).
//
// open_rocksdb_store() is the seam through which tests run a Store over a
// fault-injecting rocksdb::Env; Store::open() calls it with
// rocksdb::Env::Default().
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "clueline/storage/store.hpp"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace clueline::storage {

// The storage format this build writes and reads. Bump it when the on-disk
// layout changes incompatibly; open() refuses any other stored value.
// Version 2: site tokens and envelopes of crypto-spec §3 version 2, unit key
// certificates, the stats family.
inline constexpr std::uint32_t kFormatVersion = 2;

// Reserved kMeta keys (see Family). The format version is stored as ASCII
// decimal so `ldb` dumps stay readable.
inline constexpr std::string_view kReservedMetaPrefix = "storage.";
inline constexpr std::string_view kFormatVersionKey = "storage.format_version";
inline constexpr std::string_view kProbeKey = "storage.readiness_probe";

inline constexpr std::array<Family, 11> kAllFamilies = {
    Family::kMeta,       Family::kUnits,     Family::kSites,    Family::kClues,
    Family::kQueue,      Family::kReceipts,  Family::kAccounts, Family::kAudit,
    Family::kChallenges, Family::kDeadlines, Family::kStats,
};

// Opens a Store whose file I/O goes through `env`. `env` is not owned and
// must outlive the returned Store. Otherwise exactly Store::open().
result<std::unique_ptr<Store>> open_rocksdb_store(const Options& options, rocksdb::Env* env);

}  // namespace clueline::storage
