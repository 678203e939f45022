# Every third-party library comes from a Debian 12 package that
# deploy/bootstrap.sh installs; nothing is vendored or downloaded here.

find_package(Threads REQUIRED)
find_package(Boost 1.81 EXACT REQUIRED COMPONENTS json)
find_package(OpenSSL 3 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
# RFC 6238 one-time codes for supervisor logins (services/totp.cpp).
pkg_check_modules(OATH REQUIRED IMPORTED_TARGET liboath)
find_package(ZXing 1.4 REQUIRED)
# Posters (qr/poster.cpp) and the images QR codes are read from or written to.
pkg_check_modules(PANGOCAIRO REQUIRED IMPORTED_TARGET pangocairo cairo-pdf cairo-png)
pkg_check_modules(PNG REQUIRED IMPORTED_TARGET libpng)
pkg_check_modules(TURBOJPEG REQUIRED IMPORTED_TARGET libturbojpeg)
find_package(tomlplusplus 3 REQUIRED)

# RocksDB's own CMake config insists on the -dev packages of every compression
# library it was built with; the shared library needs none of them to link.
find_path(ROCKSDB_INCLUDE_DIR rocksdb/db.h REQUIRED)
find_library(ROCKSDB_LIBRARY NAMES rocksdb REQUIRED)
add_library(RocksDB::rocksdb SHARED IMPORTED)
set_target_properties(RocksDB::rocksdb PROPERTIES
  IMPORTED_LOCATION "${ROCKSDB_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${ROCKSDB_INCLUDE_DIR}")

# The server's allocator (see CLUELINE_JEMALLOC in the top CMakeLists.txt).
if(CLUELINE_JEMALLOC)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
endif()

if(CLUELINE_TESTS)
  find_package(GTest REQUIRED)
endif()
