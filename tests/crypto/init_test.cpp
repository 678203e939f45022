#include "clueline/crypto/init.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <thread>
#include <vector>

namespace clueline::crypto {
namespace {

TEST(Initialize, StartsLibsodium) {
  ASSERT_NO_THROW(initialize());
  // sodium_init() returns 1 when the library was already started.
  EXPECT_EQ(sodium_init(), 1);
}

TEST(Initialize, IsIdempotentAndSafeFromManyThreads) {
  std::vector<std::thread> threads;
  std::vector<int> threw(8, 0);
  for (std::size_t i = 0; i < threw.size(); ++i) {
    threads.emplace_back([&threw, i] {
      try {
        for (int n = 0; n < 100; ++n) {
          initialize();
        }
      } catch (...) {
        threw[i] = 1;
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  for (int t : threw) {
    EXPECT_EQ(t, 0);
  }
  EXPECT_EQ(sodium_init(), 1);
}

}  // namespace
}  // namespace clueline::crypto
