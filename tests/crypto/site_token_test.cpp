#include "clueline/crypto/site_token.hpp"

#include <gtest/gtest.h>

#include "clueline/crypto/encoding.hpp"
#include "test_util.hpp"

namespace clueline::crypto {
namespace {

using test::fails_with;

class SiteTokenTest : public ::testing::Test {
 protected:
  SigningKeyPair key_ = generate_signing_key_pair();
};

TEST_F(SiteTokenTest, SignsAndVerifies) {
  for (const SiteToken t :
       {SiteToken{0, 0}, SiteToken{1, 1}, SiteToken{4242, 7}, SiteToken{0xFFFFFFFFu, 0xFFFF}}) {
    const std::string token = sign_site_token(t, key_);
    EXPECT_EQ(token.size(), kSiteTokenChars);
    auto verified = verify_site_token(token, key_.public_key);
    ASSERT_TRUE(verified.has_value());
    EXPECT_EQ(*verified, t);
    auto raw = sign_site_token_raw(t, key_);
    EXPECT_EQ(to_base64url(raw), token);
    auto from_raw = verify_site_token_bytes(raw, key_.public_key);
    ASSERT_TRUE(from_raw.has_value());
    EXPECT_EQ(*from_raw, t);
  }
}

TEST_F(SiteTokenTest, FieldsAreBigEndianAtTheFront) {
  const auto raw = sign_site_token_raw({0x01020304, 0x0506}, key_);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(raw[static_cast<std::size_t>(i)], static_cast<std::byte>(i + 1));
  }
}

TEST_F(SiteTokenTest, IsDeterministic) {
  EXPECT_EQ(sign_site_token({9, 2}, key_), sign_site_token({9, 2}, key_));
}

TEST_F(SiteTokenTest, EveryBitFlipIsRefused) {
  const auto raw = sign_site_token_raw({4242, 7}, key_);
  for (std::size_t bit = 0; bit < raw.size() * 8; ++bit) {
    const Bytes flipped = test::flip_bit(raw, bit);
    EXPECT_TRUE(
        fails_with(verify_site_token_bytes(flipped, key_.public_key), errc::authentication_failed))
        << bit;
    // The text form of the flipped bytes is still 115 canonical characters.
    EXPECT_TRUE(fails_with(verify_site_token(to_base64url(flipped), key_.public_key),
                           errc::authentication_failed))
        << bit;
  }
}

TEST_F(SiteTokenTest, EveryCharacterChangeIsRefused) {
  const std::string token = sign_site_token({4242, 7}, key_);
  for (std::size_t i = 0; i < token.size(); ++i) {
    for (char c : {'A', 'z', '-', '_', '+', '=', ' '}) {
      if (token[i] == c) continue;
      std::string changed = token;
      changed[i] = c;
      EXPECT_TRUE(test::refused(verify_site_token(changed, key_.public_key))) << i << c;
    }
  }
}

TEST_F(SiteTokenTest, WrongKeyIsRefused) {
  const auto other = generate_signing_key_pair();
  EXPECT_TRUE(fails_with(verify_site_token(sign_site_token({1, 1}, key_), other.public_key),
                         errc::authentication_failed));
}

TEST_F(SiteTokenTest, CarriesTheFingerprintOfItsDeploymentKey) {
  const std::string token = sign_site_token({7, 3}, key_);
  const auto fingerprint = site_token_fingerprint(token);
  ASSERT_TRUE(fingerprint.has_value());
  EXPECT_EQ(*fingerprint, deployment_fingerprint(key_.public_key));
  EXPECT_NE(*fingerprint, deployment_fingerprint(generate_signing_key_pair().public_key));
  EXPECT_TRUE(fails_with(site_token_fingerprint(token.substr(1)), errc::invalid_argument));
}

TEST_F(SiteTokenTest, EveryWrongLengthIsMalformed) {
  const std::string token = sign_site_token({1, 1}, key_);
  for (std::size_t n = 0; n < 200; ++n) {
    if (n == kSiteTokenChars) continue;
    std::string t = token;
    t.resize(n, 'A');
    EXPECT_TRUE(fails_with(verify_site_token(t, key_.public_key), errc::invalid_argument)) << n;
  }
  const auto raw = sign_site_token_raw({1, 1}, key_);
  for (std::size_t n = 0; n < 100; ++n) {
    if (n == kSiteTokenBytes) continue;
    Bytes b(raw.begin(), raw.end());
    b.resize(n);
    EXPECT_TRUE(fails_with(verify_site_token_bytes(b, key_.public_key), errc::invalid_argument))
        << n;
  }
}

TEST_F(SiteTokenTest, SigningWithAnEmptyKeyThrows) {
  SigningKeyPair empty{key_.public_key, SecureBuffer()};
  EXPECT_THROW(sign_site_token({1, 1}, empty), std::invalid_argument);
}

// The value was computed independently of libsodium (Python's hashlib
// BLAKE2b) for the token of bytes 0, 1, ..., 85.
TEST(PosterCode, IsFortyBitsOfTheTokensDigestInCrockfordBase32) {
  const std::string token =
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-"
      "P0BBQkNERUZH"
      "SElKS0xNTk9QUVJTVFU";
  ASSERT_EQ(token.size(), kSiteTokenChars);
  EXPECT_EQ(poster_code(token).value(), "RH7R-F1S8");
  std::string other = token;
  other[10] = other[10] == 'A' ? 'B' : 'A';
  EXPECT_NE(poster_code(other).value(), "RH7R-F1S8");
  EXPECT_EQ(poster_code(token.substr(1)).error(), errc::invalid_argument);
  EXPECT_EQ(poster_code(std::string(kSiteTokenChars, '*')).error(), errc::invalid_argument);
}

}  // namespace
}  // namespace clueline::crypto
