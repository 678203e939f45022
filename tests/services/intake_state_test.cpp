// The intake's socket-free parts: rate meters, proof-of-work challenges,
// follow-up sessions and claims.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cmath>
#include <vector>

#include "clueline/crypto/pow.hpp"
#include "clueline/services/intake.hpp"

namespace clueline::services {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

TEST(RateMeter, ReadsASteadyRateAndForgetsABurst) {
  RateMeter meter(10s);
  const auto start = Steady::time_point{} + 100s;
  EXPECT_EQ(meter.per_second(start), 0.0);
  // 5 events a second for a minute read as about 5 per second.
  for (int i = 0; i < 300; ++i) meter.add(start + i * 200ms);
  EXPECT_NEAR(meter.per_second(start + 60s), 5.0, 0.3);
  // Quiet for a minute: e^-6 of it is left.
  EXPECT_LT(meter.per_second(start + 120s), 0.02);
  // A burst of 100 reads as 100 / window at once.
  RateMeter burst(10s);
  for (int i = 0; i < 100; ++i) burst.add(start);
  EXPECT_NEAR(burst.per_second(start), 10.0, 1e-9);
  EXPECT_NEAR(burst.per_second(start + 10s), 10.0 / std::exp(1.0), 1e-9);
}

TEST(PressureBits, OneBitPerDoublingAboveTheThreshold) {
  EXPECT_EQ(pressure_bits(0, 50), 0u);
  EXPECT_EQ(pressure_bits(50, 50), 0u);
  EXPECT_EQ(pressure_bits(51, 50), 1u);
  EXPECT_EQ(pressure_bits(100, 50), 1u);
  EXPECT_EQ(pressure_bits(101, 50), 2u);
  EXPECT_EQ(pressure_bits(50 * 1024, 50), 10u);
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

storage::ClueId clue_number(unsigned n) {
  storage::ClueId id{};
  id[0] = static_cast<std::byte>(n);
  id[1] = static_cast<std::byte>(n >> 8);
  return id;
}

TEST(SessionTable, FindsOpenSessionsUntilTheyExpire) {
  SessionTable table(60s, 10);
  const auto now = SystemClock::now();
  const auto a = table.open(clue_number(1), now);
  const auto b = table.open(clue_number(2), now);
  EXPECT_NE(a.token, b.token);
  EXPECT_EQ(table.find(a.token, now + 30s).value(), clue_number(1));
  EXPECT_EQ(table.find(b.token, now + 30s).value(), clue_number(2));
  EXPECT_FALSE(table.find(a.token, now + 61s));
  std::array<std::byte, 31> short_token{};
  EXPECT_FALSE(table.find(short_token, now));
  auto forged = a.token;
  forged[31] ^= std::byte{1};
  EXPECT_FALSE(table.find(forged, now));
}

TEST(SessionTable, OneReceiptCannotFillTheTableNorAFullTableLockAReporterOut) {
  SessionTable table(60s, 8, 3);
  const auto now = SystemClock::now();
  // A reporter with a live session; then one receipt opened a thousand times.
  const auto reporter = table.open(clue_number(1), now);
  std::vector<SessionTable::Opened> flood;
  for (int i = 0; i < 1000; ++i) flood.push_back(table.open(clue_number(2), now + 1s));
  EXPECT_EQ(table.size(), 4u) << "three for the flooded clue, one for the reporter";
  EXPECT_EQ(table.find(reporter.token, now + 2s).value(), clue_number(1));
  EXPECT_FALSE(table.find(flood.front().token, now + 2s)) << "the oldest of a clue closes";
  EXPECT_TRUE(table.find(flood.back().token, now + 2s));

  // Many clues fill the table: opening still succeeds, closing the session
  // that expires first, and the reporter opens a new one with the receipt.
  for (unsigned n = 10; n < 30; ++n) table.open(clue_number(n), now + 3s);
  EXPECT_EQ(table.size(), 8u);
  EXPECT_FALSE(table.find(reporter.token, now + 4s));
  const auto again = table.open(clue_number(1), now + 4s);
  EXPECT_EQ(table.find(again.token, now + 5s).value(), clue_number(1));
  EXPECT_EQ(table.size(), 8u);
}

// Review finding 3 of issue 16: receipts cycled through a full table close
// their own spare sessions before a reporter's only one.
TEST(SessionTable, AFullTableClosesASpareSessionOfACrowdedClueFirst) {
  SessionTable table(60s, 6, 4);
  const auto now = SystemClock::now();
  const auto reporter = table.open(clue_number(1), now);  // the oldest
  for (int i = 0; i < 4; ++i) table.open(clue_number(2), now + 1s);
  table.open(clue_number(3), now + 2s);
  ASSERT_EQ(table.size(), 6u);
  for (unsigned n = 10; n < 13; ++n) table.open(clue_number(n), now + 3s);
  EXPECT_EQ(table.size(), 6u);
  EXPECT_EQ(table.find(reporter.token, now + 4s).value(), clue_number(1))
      << "three of clue 2's sessions went first";
  // With no crowded clue left the oldest of all goes: the reporter's.
  table.open(clue_number(20), now + 5s);
  EXPECT_FALSE(table.find(reporter.token, now + 6s));
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
