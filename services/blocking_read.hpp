// What a read on the blocking pool hands back to a coroutine, and the
// clock in whole seconds. Private to services.
#pragma once

#include <chrono>
#include <optional>
#include <utility>

#include "clueline/common/error.hpp"
#include "clueline/services/auth.hpp"
#include "clueline/storage/records.hpp"

namespace clueline::services {

// A value read on the blocking pool, or the errc of why there is none.
template <typename T>
struct Read {
  errc error = errc::internal;
  std::optional<T> value;
};

template <typename T>
Read<T> read_of(result<T> value) {
  if (!value) return {errc_of(value.error()), std::nullopt};
  return {errc::internal, std::move(*value)};
}

// The context's clock (injected in tests), in seconds since the epoch.
inline storage::UnixSeconds now_seconds(const AuthContext& context) {
  return std::chrono::duration_cast<std::chrono::seconds>(context.clock().time_since_epoch())
      .count();
}

}  // namespace clueline::services
