#include "rocksdb_status.hpp"

namespace clueline::storage {

errc to_errc(const rocksdb::Status& status) noexcept {
  if (status.IsNotFound()) {
    return errc::not_found;
  }
  if (status.IsCorruption()) {
    return errc::storage_corruption;
  }
  // NoSpace is a subcode of IOError, so it must be tested first.
  if (status.IsNoSpace()) {
    return errc::storage_no_space;
  }
  if (status.IsInvalidArgument() || status.IsNotSupported()) {
    return errc::invalid_argument;
  }
  // Busy, TryAgain, Aborted, Incomplete and ShutdownInProgress all mean the
  // database did not do the read or write; callers only need to know that it
  // failed and may be retried, which is what storage_io says.
  return errc::storage_io;
}

}  // namespace clueline::storage
