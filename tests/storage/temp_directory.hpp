// A uniquely named directory under the system temp directory, removed with
// everything in it when the object goes out of scope.
#pragma once

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <system_error>

namespace clueline::storage::testing {

class TempDirectory {
 public:
  TempDirectory() {
    std::random_device random;
    const std::uint64_t tag = (std::uint64_t{random()} << 32) | random();
    path_ =
        std::filesystem::temp_directory_path() / ("clueline-storage-test-" + std::to_string(tag));
    std::filesystem::create_directories(path_);
  }
  ~TempDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace clueline::storage::testing
