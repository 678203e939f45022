#include "clueline/crypto/keys.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include "test_util.hpp"

namespace clueline::crypto {
namespace {

using test::fails_with;

TEST(BoxKeys, GeneratedPairIsConsistent) {
  const auto pair = generate_box_key_pair();
  ASSERT_EQ(pair.secret_key.size(), 32u);
  const auto again = test::must(box_key_pair_from_secret(pair.secret_key.bytes()), "from_secret");
  EXPECT_EQ(again.public_key, pair.public_key);
  EXPECT_NE(generate_box_key_pair().public_key, pair.public_key);
}

TEST(BoxKeys, FromSecretMatchesLibsodium) {
  std::array<unsigned char, 32> pk{};
  std::array<unsigned char, 32> sk{};
  crypto_box_keypair(pk.data(), sk.data());
  const auto pair =
      test::must(box_key_pair_from_secret(std::as_bytes(std::span(sk))), "from_secret");
  EXPECT_TRUE(test::same_bytes(pair.public_key.bytes, std::as_bytes(std::span(pk))));
  EXPECT_TRUE(test::same_bytes(pair.secret_key.bytes(), std::as_bytes(std::span(sk))));
}

TEST(BoxKeys, WrongSizesAreRefused) {
  for (std::size_t n : {0u, 31u, 33u, 64u}) {
    const Bytes b(n);
    EXPECT_TRUE(fails_with(box_key_pair_from_secret(b), errc::invalid_argument)) << n;
    EXPECT_TRUE(fails_with(box_public_key_from(b), errc::invalid_argument)) << n;
  }
  const Bytes ok(32, std::byte{7});
  auto pk = box_public_key_from(ok);
  ASSERT_TRUE(pk.has_value());
  EXPECT_TRUE(test::same_bytes(pk->bytes, ok));
}

TEST(KeyId, IsBlake2b16OfThePublicKey) {
  const auto pair = generate_box_key_pair();
  std::array<unsigned char, 16> expected{};
  crypto_generichash(expected.data(), 16,
                     reinterpret_cast<const unsigned char*>(pair.public_key.bytes.data()), 32,
                     nullptr, 0);
  EXPECT_TRUE(test::same_bytes(key_id(pair.public_key), std::as_bytes(std::span(expected))));
}

TEST(SigningKeys, GeneratedPairSignsAndVerifies) {
  const auto pair = generate_signing_key_pair();
  ASSERT_EQ(pair.secret_key.size(), 64u);
  const auto again =
      test::must(signing_key_pair_from_secret(pair.secret_key.bytes()), "from_secret");
  EXPECT_EQ(again.public_key, pair.public_key);
  const auto seeded =
      test::must(signing_key_pair_from_seed(pair.secret_key.bytes().first(32)), "seed");
  EXPECT_EQ(seeded.public_key, pair.public_key);
  EXPECT_TRUE(test::same_bytes(seeded.secret_key.bytes(), pair.secret_key.bytes()));
}

TEST(SigningKeys, SecretWithForeignPublicHalfIsRefused) {
  const auto a = generate_signing_key_pair();
  const auto b = generate_signing_key_pair();
  Bytes spliced = test::to_vector(a.secret_key.bytes());
  std::copy(b.public_key.bytes.begin(), b.public_key.bytes.end(), spliced.begin() + 32);
  EXPECT_TRUE(fails_with(signing_key_pair_from_secret(spliced), errc::invalid_argument));
}

TEST(SigningKeys, WrongSizesAreRefused) {
  for (std::size_t n : {0u, 31u, 33u, 63u, 65u}) {
    const Bytes b(n);
    EXPECT_TRUE(fails_with(signing_key_pair_from_seed(b), errc::invalid_argument)) << n;
    EXPECT_TRUE(fails_with(signing_key_pair_from_secret(b), errc::invalid_argument)) << n;
    EXPECT_TRUE(fails_with(signing_public_key_from(b), errc::invalid_argument)) << n;
  }
}

}  // namespace
}  // namespace clueline::crypto
