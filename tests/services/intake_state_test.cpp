// The intake's socket-free parts: token buckets, proof-of-work challenges,
// follow-up sessions and claims.
#include <gtest/gtest.h>

#include <array>
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

// A poster token and route to issue challenges for (the book does not
// verify the token: it only binds the challenge to its bytes).
const std::array<std::byte, 86> kToken = [] {
  std::array<std::byte, 86> token{};
  token[3] = std::byte{1};
  return token;
}();
const ChallengeBook::Scope kScope{
    .site_token = kToken, .category = "bribery", .accused_level = "village"};

crypto::PowChallenge solved_copy(const ChallengeBook::Issued& issued, crypto::PowNonce& nonce) {
  nonce = crypto::solve_pow(issued.challenge, issued.difficulty);
  return issued.challenge;
}

TEST(ChallengeBook, AcceptsItsOwnSolvedChallengeOnceUntilItExpires) {
  ChallengeBook book;
  const auto now = SystemClock::now();
  const auto issued = book.issue(6, kScope, now, 120s);
  EXPECT_EQ(issued.difficulty, 6u);
  crypto::PowNonce nonce;
  const auto challenge = solved_copy(issued, nonce);
  EXPECT_TRUE(book.check(challenge, nonce, kScope, now + 10s));
  EXPECT_FALSE(book.check(challenge, nonce, kScope, now + 121s));  // expired
  EXPECT_TRUE(book.spend(challenge, now + 10s));
  EXPECT_EQ(book.spend(challenge, now + 11s).error(), make_error_code(errc::conflict));
}

TEST(ChallengeBook, RefusesForeignTamperedAndUnsolvedChallenges) {
  ChallengeBook book;
  ChallengeBook other;
  const auto now = SystemClock::now();
  crypto::PowNonce nonce;
  const auto foreign = solved_copy(other.issue(0, kScope, now, 120s), nonce);
  EXPECT_EQ(book.check(foreign, nonce, kScope, now).error(),
            make_error_code(errc::authentication_failed));

  // Lowering the difficulty byte breaks the MAC.
  auto issued = book.issue(20, kScope, now, 120s);
  auto lowered = issued.challenge;
  lowered[8] = std::byte{0};
  EXPECT_FALSE(book.check(lowered, crypto::PowNonce{}, kScope, now));
  // Extending the expiry breaks the MAC too.
  auto extended = issued.challenge;
  extended[7] ^= std::byte{0x10};
  EXPECT_FALSE(book.check(extended, crypto::PowNonce{}, kScope, now));

  // A nonce that does not meet the difficulty (16 bits: the zero nonce fails
  // with overwhelming probability; find one that fails to be sure).
  const auto hard = book.issue(16, kScope, now, 120s);
  crypto::PowNonce wrong{};
  while (crypto::verify_pow(hard.challenge, wrong, 16))
    wrong[7] = static_cast<std::byte>(std::to_integer<int>(wrong[7]) + 1);
  EXPECT_FALSE(book.check(hard.challenge, wrong, kScope, now));
}

TEST(ChallengeBook, IsGoodOnlyForThePosterAndRouteItWasIssuedFor) {
  ChallengeBook book;
  const auto now = SystemClock::now();
  crypto::PowNonce nonce;
  const auto challenge = solved_copy(book.issue(4, kScope, now, 120s), nonce);
  EXPECT_TRUE(book.check(challenge, nonce, kScope, now));
  std::array<std::byte, 86> other_token = kToken;
  other_token[3] = std::byte{2};  // another site
  for (const ChallengeBook::Scope& other :
       {ChallengeBook::Scope{
            .site_token = other_token, .category = "bribery", .accused_level = "village"},
        ChallengeBook::Scope{
            .site_token = kToken, .category = "embezzlement", .accused_level = "village"},
        ChallengeBook::Scope{
            .site_token = kToken, .category = "bribery", .accused_level = "township"},
        // The length prefixes keep a moved boundary from encoding alike.
        ChallengeBook::Scope{
            .site_token = kToken, .category = "briberyv", .accused_level = "illage"}}) {
    EXPECT_EQ(book.check(challenge, nonce, other, now).error(),
              make_error_code(errc::authentication_failed))
        << other.category << "/" << other.accused_level;
  }
}

// check() and spend() agree on when a challenge dies, to the nanosecond: a
// spent challenge is never forgotten while check() still accepts it.
TEST(ChallengeBook, ASpentChallengeCannotBeSpentAgainInItsLastSecond) {
  ChallengeBook book;
  const auto now = SystemClock::now();
  const auto issued = book.issue(4, kScope, now, 120s);
  crypto::PowNonce nonce;
  const auto challenge = solved_copy(issued, nonce);
  ASSERT_TRUE(book.check(challenge, nonce, kScope, issued.expires_at - 1s));
  ASSERT_TRUE(book.spend(challenge, issued.expires_at - 1s));
  for (const auto at : {issued.expires_at - 1ns, issued.expires_at, issued.expires_at + 500ms}) {
    const bool accepted = book.check(challenge, nonce, kScope, at).has_value();
    const bool spent_again = book.spend(challenge, at).has_value();
    EXPECT_FALSE(accepted && spent_again)
        << "replayed at " << (at - issued.expires_at).count() << " ns from expiry";
  }
  EXPECT_FALSE(book.check(challenge, nonce, kScope, issued.expires_at));
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
