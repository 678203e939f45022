#include "clueline/crypto/bytes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <vector>

namespace clueline::crypto {
namespace {

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values) {
    out.push_back(static_cast<std::byte>(v));
  }
  return out;
}

bool all_zero(std::span<const std::byte> s) {
  return std::all_of(s.begin(), s.end(), [](std::byte b) { return b == std::byte{0}; });
}

TEST(ConstantTimeEqual, EqualContentsAreEqual) {
  auto a = bytes_of({1, 2, 3, 4, 5});
  auto b = bytes_of({1, 2, 3, 4, 5});
  EXPECT_TRUE(constant_time_equal(a, b));
  EXPECT_TRUE(constant_time_equal(a, a));
}

TEST(ConstantTimeEqual, DifferenceAnywhereIsDetected) {
  const auto base = bytes_of({10, 20, 30, 40, 50, 60, 70, 80});
  for (std::size_t i = 0; i < base.size(); ++i) {
    auto changed = base;
    changed[i] ^= std::byte{0x01};
    EXPECT_FALSE(constant_time_equal(base, changed)) << "difference at index " << i;
    EXPECT_FALSE(constant_time_equal(changed, base)) << "difference at index " << i;
  }
}

TEST(ConstantTimeEqual, DifferentSizesAreNotEqual) {
  auto shorter = bytes_of({1, 2, 3});
  auto longer = bytes_of({1, 2, 3, 4});
  EXPECT_FALSE(constant_time_equal(shorter, longer));
  EXPECT_FALSE(constant_time_equal(longer, shorter));
  // A prefix of itself is still a different size.
  EXPECT_FALSE(constant_time_equal(std::span(longer).first(3), longer));
  EXPECT_TRUE(constant_time_equal(std::span(longer).first(3), shorter));
}

TEST(ConstantTimeEqual, EmptySpans) {
  std::vector<std::byte> empty;
  auto one = bytes_of({0});
  EXPECT_TRUE(constant_time_equal(empty, empty));
  EXPECT_TRUE(constant_time_equal({}, {}));
  EXPECT_FALSE(constant_time_equal(empty, one));
  EXPECT_FALSE(constant_time_equal(one, empty));
}

TEST(RandomBytes, FillsWithNonZeroData) {
  std::array<std::byte, 64> buf{};
  random_bytes(buf);
  // The chance that 64 random bytes are all zero is 2^-512.
  EXPECT_FALSE(all_zero(buf));
}

TEST(RandomBytes, FillsTheWholeSpan) {
  std::vector<std::byte> buf(4096);
  random_bytes(buf);
  // Both ends are written, not just a prefix.
  EXPECT_FALSE(all_zero(std::span(buf).first(64)));
  EXPECT_FALSE(all_zero(std::span(buf).last(64)));
}

TEST(RandomBytes, SuccessiveCallsDiffer) {
  std::array<std::byte, 32> a{};
  std::array<std::byte, 32> b{};
  random_bytes(a);
  random_bytes(b);
  EXPECT_NE(a, b);
}

TEST(RandomBytes, WritesOnlyInsideTheSpan) {
  std::vector<std::byte> buf(48, std::byte{0});
  random_bytes(std::span(buf).subspan(16, 16));
  EXPECT_TRUE(all_zero(std::span(buf).first(16)));
  EXPECT_FALSE(all_zero(std::span(buf).subspan(16, 16)));
  EXPECT_TRUE(all_zero(std::span(buf).last(16)));
}

TEST(RandomBytes, EmptySpanIsLeftAlone) {
  std::vector<std::byte> buf(8, std::byte{0});
  random_bytes(std::span(buf).first(0));
  EXPECT_TRUE(all_zero(buf));
}

}  // namespace
}  // namespace clueline::crypto
