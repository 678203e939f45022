#include <gtest/gtest.h>
#include <rocksdb/status.h>

#include "rocksdb_status.hpp"

namespace clueline::storage {
namespace {

TEST(StatusMapping, EachRocksDbStatusMapsToItsErrc) {
  EXPECT_EQ(to_errc(rocksdb::Status::NotFound()), errc::not_found);
  EXPECT_EQ(to_errc(rocksdb::Status::Corruption("bad block")), errc::storage_corruption);
  EXPECT_EQ(to_errc(rocksdb::Status::NoSpace("disk full")), errc::storage_no_space);
  EXPECT_EQ(to_errc(rocksdb::Status::IOError("eio")), errc::storage_io);
  EXPECT_EQ(to_errc(rocksdb::Status::InvalidArgument("x")), errc::invalid_argument);
  EXPECT_EQ(to_errc(rocksdb::Status::NotSupported("x")), errc::invalid_argument);
  EXPECT_EQ(to_errc(rocksdb::Status::Busy()), errc::storage_io);
  EXPECT_EQ(to_errc(rocksdb::Status::ShutdownInProgress()), errc::storage_io);
}

TEST(StatusMapping, ErrorCodeCarriesTheClueLineCategory) {
  const auto code = to_error(rocksdb::Status::NoSpace());
  EXPECT_EQ(code, errc::storage_no_space);
  EXPECT_EQ(&code.category(), &error_category());
}

}  // namespace
}  // namespace clueline::storage
