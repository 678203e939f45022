#include "clueline/crypto/pow.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include "test_util.hpp"

namespace clueline::crypto {
namespace {

std::array<std::byte, 32> pow_hash(const PowChallenge& c, const PowNonce& n) {
  std::array<std::byte, 40> in{};
  std::copy(c.begin(), c.end(), in.begin());
  std::copy(n.begin(), n.end(), in.begin() + 32);
  std::array<std::byte, 32> out{};
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), 32,
                     reinterpret_cast<const unsigned char*>(in.data()), 40, nullptr, 0);
  return out;
}

std::uint64_t counter_of(const PowNonce& n) {
  std::uint64_t c = 0;
  for (auto b : n) c = (c << 8) | std::to_integer<std::uint64_t>(b);
  return c;
}

PowNonce nonce_of(std::uint64_t c) {
  PowNonce n{};
  for (int i = 7; i >= 0; --i, c >>= 8) n[static_cast<std::size_t>(i)] = static_cast<std::byte>(c);
  return n;
}

TEST(LeadingZeroBits, CountsFromTheMostSignificantBitOfByteZero) {
  EXPECT_EQ(leading_zero_bits({}), 0u);
  EXPECT_EQ(leading_zero_bits(Bytes{std::byte{0x80}}), 0u);
  EXPECT_EQ(leading_zero_bits(Bytes{std::byte{0x40}}), 1u);
  EXPECT_EQ(leading_zero_bits(Bytes{std::byte{0x01}}), 7u);
  EXPECT_EQ(leading_zero_bits(Bytes{std::byte{0x00}}), 8u);
  EXPECT_EQ(leading_zero_bits(Bytes{std::byte{0x00}, std::byte{0xff}}), 8u);
  EXPECT_EQ(leading_zero_bits(Bytes{std::byte{0x00}, std::byte{0x10}, std::byte{0}}), 11u);
  EXPECT_EQ(leading_zero_bits(Bytes(32)), 256u);
  for (unsigned i = 0; i < 32; ++i) {
    Bytes b(4);
    b[i / 8] = static_cast<std::byte>(0x80u >> (i % 8));
    EXPECT_EQ(leading_zero_bits(b), i);
  }
}

TEST(ProofOfWork, SolveFindsTheFirstSolutionForDifficulties0To20) {
  for (unsigned d = 0; d <= 20; ++d) {
    const auto challenge = test::random_array<32>();
    const PowNonce nonce = solve_pow(challenge, d);
    EXPECT_TRUE(verify_pow(challenge, nonce, d)) << d;
    EXPECT_GE(leading_zero_bits(pow_hash(challenge, nonce)), d);
    const std::uint64_t counter = counter_of(nonce);
    // No smaller counter solves it (checked exhaustively for the cheap ones).
    if (counter <= 5000) {
      for (std::uint64_t c = 0; c < counter; ++c) {
        ASSERT_FALSE(verify_pow(challenge, nonce_of(c), d)) << d << " " << c;
      }
    } else {
      EXPECT_FALSE(verify_pow(challenge, nonce_of(counter - 1), d));
    }
  }
}

TEST(ProofOfWork, DifficultyZeroAcceptsAnything) {
  const auto challenge = test::random_array<32>();
  EXPECT_EQ(counter_of(solve_pow(challenge, 0)), 0u);
  EXPECT_TRUE(verify_pow(challenge, test::random_array<8>(), 0));
}

TEST(ProofOfWork, VerifyMatchesTheHash) {
  const auto challenge = test::random_array<32>();
  for (int i = 0; i < 200; ++i) {
    const auto nonce = test::random_array<8>();
    const unsigned zeros = leading_zero_bits(pow_hash(challenge, nonce));
    EXPECT_TRUE(verify_pow(challenge, nonce, zeros));
    if (zeros < kMaxPowDifficulty) {
      EXPECT_FALSE(verify_pow(challenge, nonce, zeros + 1));
    }
  }
}

TEST(ProofOfWork, SolutionIsBoundToTheChallenge) {
  const auto challenge = test::random_array<32>();
  const PowNonce nonce = solve_pow(challenge, 16);
  int accepted = 0;
  for (std::size_t bit = 0; bit < 256; ++bit) {
    const Bytes flipped = test::flip_bit(challenge, bit);
    PowChallenge other{};
    std::copy(flipped.begin(), flipped.end(), other.begin());
    accepted += verify_pow(other, nonce, 16) ? 1 : 0;
  }
  // Each has a 2^-16 chance; 256 tries make even one unlikely (0.4%).
  EXPECT_LE(accepted, 1);
}

TEST(ProofOfWork, DifficultyAboveTheMaximum) {
  const auto challenge = test::random_array<32>();
  EXPECT_FALSE(verify_pow(challenge, PowNonce{}, kMaxPowDifficulty + 1));
  EXPECT_FALSE(verify_pow(challenge, PowNonce{}, 1000));
  EXPECT_THROW(solve_pow(challenge, kMaxPowDifficulty + 1), std::invalid_argument);
}

}  // namespace
}  // namespace clueline::crypto
