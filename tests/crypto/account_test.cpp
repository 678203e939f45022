#include "clueline/crypto/account.hpp"

#include <gtest/gtest.h>

#include "clueline/crypto/testing.hpp"
#include "test_util.hpp"

namespace clueline::crypto {
namespace {

using test::fails_with;
using test::kFastKdf;
using test::refused;

class AccountTest : public ::testing::Test {
 protected:
  AccountTest()
      : salt_(test::random_array<16>()),
        keys_(test::must(derive_account_keys(passphrase_, salt_, kFastKdf), "derive")),
        unit_(generate_box_key_pair()),
        blob_(test::must(wrap_unit_secret_key(unit_, keys_, salt_, kFastKdf), "wrap")) {}

  const std::string passphrase_ = "correct horse battery staple";
  std::array<std::byte, 16> salt_;
  AccountKeys keys_;
  BoxKeyPair unit_;
  Bytes blob_;
};

TEST(KdfParams, Validation) {
  EXPECT_TRUE(validate(KdfParams{}).has_value());
  EXPECT_TRUE(validate({1, 8192}).has_value());
  EXPECT_TRUE(validate({10, 1073741824}).has_value());
  for (const KdfParams p :
       {KdfParams{0, 65536}, KdfParams{11, 65536}, KdfParams{1, 8191}, KdfParams{1, 0},
        KdfParams{1, 1073741825}, KdfParams{1, 1073742848}, KdfParams{1, 65537}, KdfParams{1, 9000},
        KdfParams{0xFFFFFFFF, 1ULL << 40}}) {
    EXPECT_TRUE(fails_with(validate(p), errc::invalid_argument)) << p.opslimit << " " << p.memlimit;
  }
}

TEST_F(AccountTest, DerivationIsDeterministicAndSeparatesKeys) {
  const auto again = test::must(derive_account_keys(passphrase_, salt_, kFastKdf), "again");
  EXPECT_EQ(again.auth.public_key, keys_.auth.public_key);
  EXPECT_TRUE(test::same_bytes(again.wrap_key.bytes(), keys_.wrap_key.bytes()));
  EXPECT_EQ(keys_.wrap_key.size(), 32u);
  EXPECT_FALSE(test::same_bytes(keys_.wrap_key.bytes(), keys_.auth.secret_key.bytes().first(32)));
  const auto other =
      test::must(derive_account_keys("correct horse battery stapler", salt_, kFastKdf), "other");
  EXPECT_NE(other.auth.public_key, keys_.auth.public_key);
  const auto slower = test::must(derive_account_keys(passphrase_, salt_, {2, 65536}), "slower");
  EXPECT_NE(slower.auth.public_key, keys_.auth.public_key);
}

TEST_F(AccountTest, DerivationRefusesBadInput) {
  EXPECT_TRUE(
      fails_with(derive_account_keys(passphrase_, Bytes(15), kFastKdf), errc::invalid_argument));
  EXPECT_TRUE(
      fails_with(derive_account_keys(passphrase_, salt_, {0, 65536}), errc::invalid_argument));
}

TEST_F(AccountTest, BlobLayout) {
  ASSERT_EQ(blob_.size(), kWrappedKeyBytes);
  EXPECT_TRUE(std::equal(blob_.begin(), blob_.begin() + 4, as_bytes("CLK1").begin()));
  const auto info = test::must(parse_wrapped_key(blob_), "parse");
  EXPECT_EQ(info.params, kFastKdf);
  EXPECT_EQ(info.salt, salt_);
  EXPECT_EQ(info.key_id, key_id(unit_.public_key));
  // memlimit is stored in KiB: 65536 bytes = 64.
  EXPECT_EQ(blob_[11], std::byte{64});
}

TEST_F(AccountTest, UnwrapsWithKeysAndWithPassphrase) {
  const auto a = test::must(unwrap_unit_secret_key(blob_, keys_), "keys");
  EXPECT_EQ(a.public_key, unit_.public_key);
  EXPECT_TRUE(test::same_bytes(a.secret_key.bytes(), unit_.secret_key.bytes()));
  const auto b = test::must(unwrap_unit_secret_key(blob_, passphrase_), "passphrase");
  EXPECT_EQ(b.public_key, unit_.public_key);
}

TEST_F(AccountTest, WrongPassphraseFails) {
  EXPECT_TRUE(fails_with(unwrap_unit_secret_key(blob_, "Correct horse battery staple"),
                         errc::authentication_failed));
  EXPECT_TRUE(fails_with(unwrap_unit_secret_key(blob_, ""), errc::authentication_failed));
}

TEST_F(AccountTest, EveryBitFlipIsRefused) {
  for (std::size_t bit = 0; bit < blob_.size() * 8; ++bit) {
    const Bytes flipped = test::flip_bit(blob_, bit);
    ASSERT_TRUE(refused(unwrap_unit_secret_key(flipped, keys_))) << bit;
  }
  // With the passphrase, a flipped parameter or salt also derives another
  // key; sample those bytes (each costs one Argon2id).
  for (std::size_t bit : {32u, 56u, 64u, 70u, 88u, 96u, 127u}) {
    const Bytes flipped = test::flip_bit(blob_, bit);
    EXPECT_TRUE(refused(unwrap_unit_secret_key(flipped, passphrase_))) << bit;
  }
}

TEST_F(AccountTest, EveryOtherLengthIsMalformed) {
  for (std::size_t n = 0; n < 200; ++n) {
    if (n == kWrappedKeyBytes) continue;
    Bytes b = blob_;
    b.resize(n);
    EXPECT_TRUE(fails_with(unwrap_unit_secret_key(b, keys_), errc::invalid_argument)) << n;
    EXPECT_TRUE(fails_with(parse_wrapped_key(b), errc::invalid_argument)) << n;
  }
}

TEST_F(AccountTest, ParametersOutOfRangeAreMalformed) {
  auto with = [&](std::size_t at, std::uint32_t v) {
    Bytes b = blob_;
    b[at] = static_cast<std::byte>(v >> 24);
    b[at + 1] = static_cast<std::byte>(v >> 16);
    b[at + 2] = static_cast<std::byte>(v >> 8);
    b[at + 3] = static_cast<std::byte>(v);
    return b;
  };
  for (std::uint32_t ops : {0u, 11u, 0xFFFFFFFFu}) {
    EXPECT_TRUE(
        fails_with(unwrap_unit_secret_key(with(4, ops), passphrase_), errc::invalid_argument))
        << ops;
  }
  for (std::uint32_t kib : {0u, 7u, 1048577u, 0xFFFFFFFFu}) {
    EXPECT_TRUE(
        fails_with(unwrap_unit_secret_key(with(8, kib), passphrase_), errc::invalid_argument))
        << kib;
  }
}

TEST_F(AccountTest, WrapChecksItsInputs) {
  EXPECT_TRUE(
      fails_with(wrap_unit_secret_key(unit_, keys_, Bytes(15), kFastKdf), errc::invalid_argument));
  EXPECT_TRUE(
      fails_with(wrap_unit_secret_key(unit_, keys_, salt_, {1, 1000}), errc::invalid_argument));
  BoxKeyPair mismatched{generate_box_key_pair().public_key,
                        test::secure_from(unit_.secret_key.bytes())};
  EXPECT_TRUE(
      fails_with(wrap_unit_secret_key(mismatched, keys_, salt_, kFastKdf), errc::invalid_argument));
  AccountKeys no_wrap{test::must(signing_key_pair_from_seed(Bytes(32)), "seed"), SecureBuffer()};
  EXPECT_TRUE(
      fails_with(wrap_unit_secret_key(unit_, no_wrap, salt_, kFastKdf), errc::invalid_argument));
  EXPECT_TRUE(fails_with(unwrap_unit_secret_key(blob_, no_wrap), errc::invalid_argument));
  // Fresh nonce each time; deterministic with a given nonce.
  EXPECT_NE(blob_, test::must(wrap_unit_secret_key(unit_, keys_, salt_, kFastKdf), "again"));
  const Bytes nonce = test::random_vector(24);
  EXPECT_EQ(
      test::must(wrap_unit_secret_key_deterministic(unit_, keys_, salt_, kFastKdf, nonce), "d1"),
      test::must(wrap_unit_secret_key_deterministic(unit_, keys_, salt_, kFastKdf, nonce), "d2"));
}

TEST_F(AccountTest, LoginProof) {
  const auto challenge = test::random_array<32>();
  const Bytes proof = sign_login_challenge(challenge, keys_.auth);
  ASSERT_EQ(proof.size(), kLoginProofBytes);
  EXPECT_TRUE(verify_login_proof(challenge, proof, keys_.auth.public_key));
  for (std::size_t bit = 0; bit < proof.size() * 8; ++bit) {
    ASSERT_FALSE(verify_login_proof(challenge, test::flip_bit(proof, bit), keys_.auth.public_key))
        << bit;
  }
  for (std::size_t bit = 0; bit < 256; ++bit) {
    ASSERT_FALSE(verify_login_proof(test::flip_bit(challenge, bit), proof, keys_.auth.public_key))
        << bit;
  }
  EXPECT_FALSE(verify_login_proof(challenge, proof, generate_signing_key_pair().public_key));
  EXPECT_FALSE(verify_login_proof(std::span(challenge).first(31), proof, keys_.auth.public_key));
  EXPECT_FALSE(verify_login_proof(challenge, std::span(proof).first(63), keys_.auth.public_key));
  EXPECT_THROW(sign_login_challenge(Bytes(31), keys_.auth), std::invalid_argument);
}

}  // namespace
}  // namespace clueline::crypto
