#include "clueline/crypto/hash.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/keys.hpp"

namespace clueline::crypto {
namespace {

std::string hex(std::span<const std::byte> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const std::byte b : bytes) {
    out += kDigits[std::to_integer<unsigned>(b) >> 4];
    out += kDigits[std::to_integer<unsigned>(b) & 15];
  }
  return out;
}

TEST(Blake2b, MatchesTheRfc7693Example) {
  // RFC 7693, Appendix A: BLAKE2b-512("abc").
  EXPECT_EQ(hex(blake2b<64>({as_bytes("abc")})),
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
            "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
}

TEST(Blake2b, PartsAreConcatenatedAndAKeyMakesAMac) {
  EXPECT_EQ(blake2b<32>({as_bytes("ab"), as_bytes("c")}), blake2b<32>({as_bytes("abc")}));
  const std::string key(32, 'k');
  const auto mac = blake2b<16>({as_bytes("abc")}, as_bytes(key));
  EXPECT_NE(mac, blake2b<16>({as_bytes("abc")}));
  EXPECT_NE(mac, blake2b<16>({as_bytes("abc")}, as_bytes(std::string(32, 'j'))));
  EXPECT_EQ(mac, blake2b<16>({as_bytes("abc")}, as_bytes(key)));
}

TEST(Blake2b, SizesOutsideBlake2bsRangeAreRefused) {
  std::array<std::byte, 15> too_short{};
  EXPECT_THROW(blake2b(too_short, {as_bytes("abc")}), std::invalid_argument);
  std::array<std::byte, 65> too_long{};
  EXPECT_THROW(blake2b(too_long, {as_bytes("abc")}), std::invalid_argument);
  std::array<std::byte, 32> out{};
  EXPECT_THROW(blake2b(out, {as_bytes("abc")}, as_bytes("short key")), std::invalid_argument);
  EXPECT_THROW(blake2b(out, {as_bytes("abc")}, as_bytes(std::string(65, 'k'))),
               std::invalid_argument);
}

TEST(DetachedSignature, VerifiesOnlyTheSignedMessageUnderItsKey) {
  const SigningKeyPair key = generate_signing_key_pair();
  const Signature signature = sign_detached(as_bytes("message"), key);
  EXPECT_TRUE(verify_detached(signature, as_bytes("message"), key.public_key));
  EXPECT_FALSE(verify_detached(signature, as_bytes("messagf"), key.public_key));
  EXPECT_FALSE(
      verify_detached(signature, as_bytes("message"), generate_signing_key_pair().public_key));
  Signature flipped = signature;
  flipped[10] ^= std::byte{1};
  EXPECT_FALSE(verify_detached(flipped, as_bytes("message"), key.public_key));
  EXPECT_FALSE(
      verify_detached(std::span(signature).first(63), as_bytes("message"), key.public_key));
  // Ed25519 is deterministic.
  EXPECT_EQ(sign_detached(as_bytes("message"), key), signature);
}

}  // namespace
}  // namespace clueline::crypto
