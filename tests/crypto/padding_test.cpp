#include "clueline/crypto/padding.hpp"

#include <gtest/gtest.h>

#include "test_util.hpp"

namespace clueline::crypto {
namespace {

using test::fails_with;

std::size_t expected_bucket(std::size_t n) {
  for (std::size_t b : kPayloadBuckets) {
    if (b > n) return b;
  }
  return 0;
}

TEST(Padding, PadsToTheSmallestLargerBucket) {
  for (std::size_t n : {0u, 1u, 100u, 1023u, 1024u, 1025u, 4095u, 4096u, 16383u, 16384u, 65535u,
                        65536u, 100000u, 262143u}) {
    const Bytes m = test::random_vector(n);
    const auto padded = test::must(pad_to_bucket(m), "pad");
    ASSERT_EQ(padded.size(), expected_bucket(n)) << n;
    EXPECT_TRUE(std::equal(m.begin(), m.end(), padded.begin()));
    EXPECT_EQ(padded[n], std::byte{0x80});
    EXPECT_TRUE(std::all_of(padded.begin() + static_cast<std::ptrdiff_t>(n) + 1, padded.end(),
                            [](std::byte b) { return b == std::byte{0}; }));
    EXPECT_EQ(test::must(unpad(padded, padded.size()), "unpad"), m);
    EXPECT_EQ(test::must(unpadded_size(padded, padded.size()), "size"), n);
  }
}

TEST(Padding, RefusesTooLargePlaintext) {
  EXPECT_TRUE(fails_with(pad_to_bucket(Bytes(262144)), errc::invalid_argument));
  EXPECT_TRUE(fails_with(pad_to_bucket(Bytes(300000)), errc::invalid_argument));
}

TEST(Padding, BucketPredicate) {
  for (std::size_t b : kPayloadBuckets) EXPECT_TRUE(is_payload_bucket(b));
  for (std::size_t n : {0u, 1u, 1023u, 1025u, 1040u, 262160u}) EXPECT_FALSE(is_payload_bucket(n));
}

TEST(Unpad, RefusesBadPadding) {
  Bytes good(1024);
  good[10] = std::byte{0x80};
  ASSERT_TRUE(unpad(good, 1024).has_value());
  EXPECT_TRUE(fails_with(unpad(Bytes(1024), 1024), errc::authentication_failed));
  for (std::size_t i = 11; i < 1024; i += 37) {
    Bytes bad = good;
    bad[i] = std::byte{1};
    EXPECT_TRUE(fails_with(unpad(bad, 1024), errc::authentication_failed)) << i;
  }
  Bytes marker = good;
  marker[10] = std::byte{0x81};
  EXPECT_TRUE(fails_with(unpad(marker, 1024), errc::authentication_failed));
  // The marker must be inside the last block.
  Bytes two(2048);
  two[1000] = std::byte{0x80};
  EXPECT_TRUE(fails_with(unpad(two, 1024), errc::authentication_failed));
  two[1024] = std::byte{0x80};
  EXPECT_EQ(test::must(unpad(two, 1024), "two").size(), 1024u);
}

TEST(Unpad, RefusesBadShapes) {
  EXPECT_TRUE(fails_with(unpad({}, 1024), errc::invalid_argument));
  EXPECT_TRUE(fails_with(unpad(Bytes(1024), 0), errc::invalid_argument));
  EXPECT_TRUE(fails_with(unpad(Bytes(1000), 1024), errc::invalid_argument));
  EXPECT_TRUE(fails_with(unpad(Bytes(1025), 1024), errc::invalid_argument));
}

}  // namespace
}  // namespace clueline::crypto
