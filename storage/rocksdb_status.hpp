// Translation of rocksdb::Status into clueline::errc (private to storage/).
#pragma once

#include <rocksdb/status.h>

#include "clueline/common/error.hpp"

namespace clueline::storage {

// The errc for a failed `status`:
//   NotFound                        -> not_found
//   Corruption                      -> storage_corruption
//   IOError with subcode NoSpace    -> storage_no_space
//   InvalidArgument, NotSupported   -> invalid_argument
//   anything else (IOError, Busy, ShutdownInProgress, ...) -> storage_io
// `status` must not be ok().
errc to_errc(const rocksdb::Status& status) noexcept;

// to_errc() as an error_code, for returning directly from result<T>.
inline boost::system::error_code to_error(const rocksdb::Status& status) noexcept {
  return make_error_code(to_errc(status));
}

}  // namespace clueline::storage
