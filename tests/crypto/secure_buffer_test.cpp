#include "clueline/crypto/secure_buffer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace clueline::crypto {
namespace {

static_assert(!std::is_copy_constructible_v<SecureBuffer>);
static_assert(!std::is_copy_assignable_v<SecureBuffer>);
static_assert(std::is_nothrow_move_constructible_v<SecureBuffer>);
static_assert(std::is_nothrow_move_assignable_v<SecureBuffer>);

SecureBuffer make(std::size_t size) {
  auto r = SecureBuffer::allocate(size);
  EXPECT_TRUE(r.has_value()) << r.error().message();
  return std::move(r).value();
}

void fill_pattern(SecureBuffer& buf, std::uint8_t seed) {
  auto span = buf.bytes();
  for (std::size_t i = 0; i < span.size(); ++i) {
    span[i] = static_cast<std::byte>(seed + i * 7);
  }
}

bool has_pattern(const SecureBuffer& buf, std::uint8_t seed) {
  auto span = buf.bytes();
  for (std::size_t i = 0; i < span.size(); ++i) {
    if (span[i] != static_cast<std::byte>(seed + i * 7)) {
      return false;
    }
  }
  return true;
}

TEST(SecureBuffer, AllocateGivesZeroedBytesOfTheRequestedSize) {
  auto buf = make(100);
  EXPECT_EQ(buf.size(), 100u);
  EXPECT_FALSE(buf.empty());
  ASSERT_NE(buf.data(), nullptr);
  EXPECT_EQ(buf.bytes().size(), 100u);
  EXPECT_EQ(buf.bytes().data(), buf.data());
  const auto& cbuf = buf;
  EXPECT_EQ(cbuf.bytes().size(), 100u);
  EXPECT_EQ(cbuf.data(), buf.data());
  EXPECT_TRUE(std::all_of(buf.bytes().begin(), buf.bytes().end(),
                          [](std::byte b) { return b == std::byte{0}; }));
}

TEST(SecureBuffer, ContentsRoundTrip) {
  auto buf = make(4097);  // more than a page
  fill_pattern(buf, 3);
  EXPECT_TRUE(has_pattern(buf, 3));
  EXPECT_FALSE(has_pattern(buf, 4));
}

TEST(SecureBuffer, DistinctAllocationsDoNotShareMemory) {
  auto a = make(32);
  auto b = make(32);
  EXPECT_NE(a.data(), b.data());
  fill_pattern(a, 1);
  fill_pattern(b, 2);
  EXPECT_TRUE(has_pattern(a, 1));
  EXPECT_TRUE(has_pattern(b, 2));
}

TEST(SecureBuffer, ZeroSizeIsEmptyWithoutAllocation) {
  auto r = SecureBuffer::allocate(0);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(r->size(), 0u);
  EXPECT_EQ(r->data(), nullptr);
  EXPECT_TRUE(r->bytes().empty());
}

TEST(SecureBuffer, DefaultConstructedIsEmpty) {
  SecureBuffer buf;
  EXPECT_TRUE(buf.empty());
  EXPECT_EQ(buf.data(), nullptr);
}

TEST(SecureBuffer, ImpossibleSizeFailsWithInternal) {
  auto r = SecureBuffer::allocate(std::numeric_limits<std::size_t>::max());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), make_error_code(errc::internal));
}

TEST(SecureBuffer, MoveConstructionTransfersAndEmptiesSource) {
  auto a = make(16);
  fill_pattern(a, 9);
  const std::byte* block = a.data();
  SecureBuffer b(std::move(a));
  EXPECT_EQ(b.data(), block);
  EXPECT_EQ(b.size(), 16u);
  EXPECT_TRUE(has_pattern(b, 9));
  // The moved-from state is the contract under test.
  // NOLINTBEGIN(bugprone-use-after-move,clang-analyzer-cplusplus.Move)
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(a.data(), nullptr);
  // NOLINTEND(bugprone-use-after-move,clang-analyzer-cplusplus.Move)
}

TEST(SecureBuffer, MoveAssignmentTransfersAndEmptiesSource) {
  auto a = make(16);
  auto b = make(64);
  fill_pattern(a, 5);
  const std::byte* block = a.data();
  b = std::move(a);
  EXPECT_EQ(b.data(), block);
  EXPECT_EQ(b.size(), 16u);
  EXPECT_TRUE(has_pattern(b, 5));
  // NOLINTBEGIN(bugprone-use-after-move,clang-analyzer-cplusplus.Move)
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.data(), nullptr);
  // NOLINTEND(bugprone-use-after-move,clang-analyzer-cplusplus.Move)

  // The moved-from buffer can be reused.
  a = make(8);
  EXPECT_EQ(a.size(), 8u);
}

TEST(SecureBuffer, SelfMoveAssignmentKeepsContents) {
  auto a = make(16);
  fill_pattern(a, 11);
  auto& alias = a;
  a = std::move(alias);
  EXPECT_EQ(a.size(), 16u);
  EXPECT_TRUE(has_pattern(a, 11));
}

TEST(SecureBuffer, ReadonlyThenReadwriteAllowsWritingAgain) {
  auto buf = make(32);
  fill_pattern(buf, 1);
  ASSERT_TRUE(buf.protect_readonly().has_value());
  EXPECT_TRUE(has_pattern(buf, 1));  // reads still work
  ASSERT_TRUE(buf.protect_readwrite().has_value());
  fill_pattern(buf, 2);
  EXPECT_TRUE(has_pattern(buf, 2));
}

TEST(SecureBuffer, ProtectedBufferCanBeDestroyedAndMovedOver) {
  auto a = make(32);
  ASSERT_TRUE(a.protect_noaccess().has_value());
  auto b = make(32);
  ASSERT_TRUE(b.protect_readonly().has_value());
  a = std::move(b);  // frees the no-access block
  EXPECT_EQ(a.size(), 32u);
  // `a` (read-only) is destroyed at scope exit; sodium_free unprotects it.
}

TEST(SecureBuffer, ProtectOnEmptyBufferSucceeds) {
  SecureBuffer buf;
  EXPECT_TRUE(buf.protect_noaccess().has_value());
  EXPECT_TRUE(buf.protect_readonly().has_value());
  EXPECT_TRUE(buf.protect_readwrite().has_value());
}

using SecureBufferDeathTest = ::testing::Test;

TEST_F(SecureBufferDeathTest, NoaccessBlocksReads) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto buf = make(32);
  ASSERT_TRUE(buf.protect_noaccess().has_value());
  const volatile std::byte* p = buf.data();
  EXPECT_DEATH({ [[maybe_unused]] std::byte b = p[0]; }, "");
  ASSERT_TRUE(buf.protect_readwrite().has_value());
}

TEST_F(SecureBufferDeathTest, ReadonlyBlocksWrites) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto buf = make(32);
  ASSERT_TRUE(buf.protect_readonly().has_value());
  volatile std::byte* p = buf.data();
  EXPECT_DEATH({ p[0] = std::byte{1}; }, "");
}

TEST_F(SecureBufferDeathTest, GuardPageFollowsTheLastByte) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // Proves the bytes live in libsodium's guarded heap: one byte past the end
  // is an inaccessible page, so an overflow faults instead of leaking.
  auto buf = make(40);
  const volatile std::byte* p = buf.data();
  const std::size_t end = buf.size();
  EXPECT_DEATH({ [[maybe_unused]] std::byte b = p[end]; }, "");
}

}  // namespace
}  // namespace clueline::crypto
