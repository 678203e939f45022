// Private to storage/: what the offline registry functions of records.cpp
// and accounts.cpp share.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "clueline/common/error.hpp"
#include "clueline/storage/records.hpp"
#include "clueline/storage/store.hpp"

namespace clueline::storage::detail {

// The value of the kMeta id counter `counter` (1 if it was never written).
result<std::uint32_t> next_registry_id(const Store& store, std::string_view counter);

// Writes the change (synced) with its audit entry ("operator:cli"), so that
// no registry change is stored without it. For tools holding the database
// lock only.
result<void> write_registry_change(Store& store, RegistryChange change);

}  // namespace clueline::storage::detail
