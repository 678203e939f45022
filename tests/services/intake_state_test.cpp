// The intake's socket-free parts: token buckets, proof-of-work challenges,
// follow-up sessions and claims.
#include <gtest/gtest.h>

#include <chrono>

#include "clueline/crypto/pow.hpp"
#include "clueline/services/intake.hpp"

namespace clueline::services {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

TEST(TokenBucket, StartsFullRefusesWhenEmptyAndRefillsAtItsRate) {
  TokenBucket bucket(2.0, 3.0);
  const auto start = Steady::time_point{} + 100s;
  EXPECT_TRUE(bucket.try_take(start));
  EXPECT_TRUE(bucket.try_take(start));
  EXPECT_TRUE(bucket.try_take(start));
  EXPECT_FALSE(bucket.try_take(start));
  EXPECT_NEAR(bucket.seconds_until_token(), 0.5, 1e-9);
  EXPECT_FALSE(bucket.try_take(start + 400ms));  // 0.8 tokens
  EXPECT_TRUE(bucket.try_take(start + 500ms));   // 1.0 token
  // Never more than the burst, however long it rests.
  EXPECT_TRUE(bucket.try_take(start + 1h));
  EXPECT_TRUE(bucket.try_take(start + 1h));
  EXPECT_TRUE(bucket.try_take(start + 1h));
  EXPECT_FALSE(bucket.try_take(start + 1h));
}

crypto::PowChallenge solved_copy(const ChallengeBook::Issued& issued, crypto::PowNonce& nonce) {
  nonce = crypto::solve_pow(issued.challenge, issued.difficulty);
  return issued.challenge;
}

TEST(ChallengeBook, AcceptsItsOwnSolvedChallengeOnceUntilItExpires) {
  ChallengeBook book;
  const auto now = SystemClock::now();
  const auto issued = book.issue(6, now, 120s);
  EXPECT_EQ(issued.difficulty, 6u);
  crypto::PowNonce nonce;
  const auto challenge = solved_copy(issued, nonce);
  EXPECT_TRUE(book.check(challenge, nonce, now + 10s));
  EXPECT_FALSE(book.check(challenge, nonce, now + 121s));  // expired
  EXPECT_TRUE(book.spend(challenge, now + 10s));
  EXPECT_EQ(book.spend(challenge, now + 11s).error(), make_error_code(errc::conflict));
}

TEST(ChallengeBook, RefusesForeignTamperedAndUnsolvedChallenges) {
  ChallengeBook book;
  ChallengeBook other;
  const auto now = SystemClock::now();
  crypto::PowNonce nonce;
  const auto foreign = solved_copy(other.issue(0, now, 120s), nonce);
  EXPECT_EQ(book.check(foreign, nonce, now).error(), make_error_code(errc::authentication_failed));

  // Lowering the difficulty byte breaks the MAC.
  auto issued = book.issue(20, now, 120s);
  auto lowered = issued.challenge;
  lowered[8] = std::byte{0};
  EXPECT_FALSE(book.check(lowered, crypto::PowNonce{}, now));
  // Extending the expiry breaks the MAC too.
  auto extended = issued.challenge;
  extended[7] ^= std::byte{0x10};
  EXPECT_FALSE(book.check(extended, crypto::PowNonce{}, now));

  // A nonce that does not meet the difficulty (16 bits: the zero nonce fails
  // with overwhelming probability; find one that fails to be sure).
  const auto hard = book.issue(16, now, 120s);
  crypto::PowNonce wrong{};
  while (crypto::verify_pow(hard.challenge, wrong, 16))
    wrong[7] = static_cast<std::byte>(std::to_integer<int>(wrong[7]) + 1);
  EXPECT_FALSE(book.check(hard.challenge, wrong, now));
}

TEST(SessionTable, FindsOpenSessionsUntilTheyExpireAndRespectsCapacity) {
  SessionTable table(60s, 2);
  const auto now = SystemClock::now();
  storage::ClueId first{};
  first[0] = std::byte{1};
  storage::ClueId second{};
  second[0] = std::byte{2};
  const auto a = table.open(first, now).value();
  const auto b = table.open(second, now).value();
  EXPECT_NE(a.token, b.token);
  EXPECT_EQ(table.find(a.token, now + 30s).value(), first);
  EXPECT_EQ(table.find(b.token, now + 30s).value(), second);
  EXPECT_FALSE(table.find(a.token, now + 61s));
  EXPECT_EQ(table.open(first, now + 1s).error(), make_error_code(errc::unavailable));
  // Once the old ones expire, there is room again.
  EXPECT_TRUE(table.open(first, now + 61s));
  std::array<std::byte, 31> short_token{};
  EXPECT_FALSE(table.find(short_token, now));
}

TEST(ClaimSet, AKeyIsHeldUntilItsClaimIsDestroyed) {
  ClaimSet claims;
  {
    auto held = claims.claim("receipt:x");
    ASSERT_TRUE(held);
    EXPECT_EQ(claims.claim("receipt:x").error(), make_error_code(errc::conflict));
    EXPECT_TRUE(claims.claim("receipt:y"));
  }
  EXPECT_TRUE(claims.claim("receipt:x"));
}

}  // namespace
}  // namespace clueline::services
