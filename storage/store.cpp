#include "clueline/storage/store.hpp"

#include <rocksdb/env.h>

#include "rocksdb_store.hpp"

namespace clueline::storage {

std::string_view family_name(Family f) noexcept {
  switch (f) {
    case Family::kMeta:
      return "meta";
    case Family::kUnits:
      return "units";
    case Family::kSites:
      return "sites";
    case Family::kClues:
      return "clues";
    case Family::kQueue:
      return "queue";
    case Family::kReceipts:
      return "receipts";
    case Family::kAccounts:
      return "accounts";
    case Family::kAudit:
      return "audit";
    case Family::kChallenges:
      return "challenges";
    case Family::kDeadlines:
      return "deadlines";
    case Family::kStats:
      return "stats";
  }
  return "unknown";
}

Store::~Store() = default;

result<std::unique_ptr<Store>> Store::open(const Options& options) {
  return open_rocksdb_store(options, rocksdb::Env::Default());
}

}  // namespace clueline::storage
