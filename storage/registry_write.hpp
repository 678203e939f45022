// Private to storage/: what the offline registry functions of records.cpp
// and accounts.cpp share.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "clueline/common/error.hpp"
#include "clueline/storage/store.hpp"

namespace clueline::storage::detail {

// The value of the kMeta id counter `counter` (1 if it was never written).
result<std::uint32_t> next_registry_id(const Store& store, std::string_view counter);

// Writes `batch` (synced) with the audit entry of the change ("operator:cli",
// `action`, `object`, `detail`), so that no registry change is stored
// without it. For tools holding the database lock only.
result<void> write_registry_change(Store& store, std::vector<Mutation> batch, std::string action,
                                   std::string object, boost::json::object detail);

}  // namespace clueline::storage::detail
