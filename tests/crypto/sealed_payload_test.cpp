#include "clueline/crypto/sealed_payload.hpp"

#include <gtest/gtest.h>

#include <random>

#include "clueline/crypto/padding.hpp"
#include "clueline/crypto/testing.hpp"
#include "test_util.hpp"

namespace clueline::crypto {
namespace {

using test::fails_with;
using test::refused;

const Bytes kClueId = Bytes(16, std::byte{0x42});

struct Units {
  std::vector<BoxKeyPair> pairs;
  std::vector<BoxPublicKey> public_keys;
  explicit Units(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      pairs.push_back(generate_box_key_pair());
      public_keys.push_back(pairs.back().public_key);
    }
  }
};

std::size_t header_size(std::size_t n) { return 1 + 96 * n + 24; }

TEST(SealedPayload, RoundTripsSizesUpToTheLargestBucket) {
  std::mt19937 rng(7);
  std::vector<std::size_t> sizes = {0,     1,     1023,  1024,  4095,  4096,
                                    16383, 16384, 65535, 65536, 262143};
  for (int i = 0; i < 12; ++i) sizes.push_back(rng() % 262144);
  const Units units(3);
  for (std::size_t n : sizes) {
    const Bytes m = test::random_vector(n);
    const auto payload =
        test::must(seal_payload(PayloadDomain::kMessage, kClueId, units.public_keys, m), "seal");
    std::size_t bucket = 0;
    for (std::size_t b : kPayloadBuckets) {
      if (b > n) {
        bucket = b;
        break;
      }
    }
    EXPECT_EQ(payload.size(), header_size(3) + 4 + bucket + 16) << n;
    for (const auto& pair : units.pairs) {
      const auto opened = open_payload(PayloadDomain::kMessage, kClueId, payload, pair);
      ASSERT_TRUE(opened.has_value()) << n << " " << opened.error().message();
      EXPECT_TRUE(test::same_bytes(opened->bytes(), m)) << n;
    }
  }
}

TEST(SealedPayload, OneToSixteenRecipientsEachOpen) {
  const Units units(16);
  const Bytes m = test::random_vector(500);
  for (std::size_t n = 1; n <= 16; ++n) {
    const auto keys = std::span(units.public_keys).first(n);
    const auto payload =
        test::must(seal_payload(PayloadDomain::kMessage, kClueId, keys, m), "seal");
    const auto parsed = test::must(parse_payload(payload), "parse");
    ASSERT_EQ(parsed.recipients.size(), n);
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_EQ(parsed.recipients[i].key_id, key_id(units.public_keys[i]));
    }
    // First, last and one not addressed.
    EXPECT_TRUE(
        open_payload(PayloadDomain::kMessage, kClueId, payload, units.pairs[0]).has_value());
    EXPECT_TRUE(
        open_payload(PayloadDomain::kMessage, kClueId, payload, units.pairs[n - 1]).has_value());
    if (n < 16) {
      EXPECT_TRUE(
          fails_with(open_payload(PayloadDomain::kMessage, kClueId, payload, units.pairs[n]),
                     errc::authentication_failed));
    }
  }
}

TEST(SealedPayload, SealRefusesBadArguments) {
  const Units units(17);
  const Bytes m(10);
  EXPECT_TRUE(
      fails_with(seal_payload(PayloadDomain::kMessage, kClueId, {}, m), errc::invalid_argument));
  EXPECT_TRUE(fails_with(seal_payload(PayloadDomain::kMessage, kClueId, units.public_keys, m),
                         errc::invalid_argument));
  const std::vector<BoxPublicKey> twice = {units.public_keys[0], units.public_keys[1],
                                           units.public_keys[0]};
  EXPECT_TRUE(
      fails_with(seal_payload(PayloadDomain::kMessage, kClueId, twice, m), errc::invalid_argument));
  EXPECT_TRUE(fails_with(seal_payload(PayloadDomain::kMessage, kClueId,
                                      std::span(units.public_keys).first(1), Bytes(262144)),
                         errc::invalid_argument));
  EXPECT_TRUE(fails_with(
      seal_payload(PayloadDomain::kReply, kClueId, std::span(units.public_keys).first(2), m),
      errc::invalid_argument));
  for (std::size_t n : {0u, 15u, 17u, 32u}) {
    EXPECT_TRUE(fails_with(
        seal_payload(PayloadDomain::kMessage, Bytes(n), std::span(units.public_keys).first(1), m),
        errc::invalid_argument));
    EXPECT_TRUE(fails_with(
        seal_payload(PayloadDomain::kReply, Bytes(n), std::span(units.public_keys).first(1), m),
        errc::invalid_argument));
  }
  // A low-order point (here zero) cannot be sealed to.
  const std::vector<BoxPublicKey> zero = {BoxPublicKey{}};
  EXPECT_TRUE(
      fails_with(seal_payload(PayloadDomain::kMessage, kClueId, zero, m), errc::invalid_argument));
  // Envelope contexts are free-form.
  EXPECT_TRUE(seal_payload(PayloadDomain::kEnvelope, {}, std::span(units.public_keys).first(1), m)
                  .has_value());
}

TEST(SealedPayload, DomainAndContextAreBound) {
  const Units units(1);
  const Bytes m = test::random_vector(64);
  const auto& pair = units.pairs[0];
  const auto message =
      test::must(seal_payload(PayloadDomain::kMessage, kClueId, units.public_keys, m), "m");
  const auto reply =
      test::must(seal_payload(PayloadDomain::kReply, kClueId, units.public_keys, m), "r");
  const auto envelope =
      test::must(seal_payload(PayloadDomain::kEnvelope, kClueId, units.public_keys, m), "e");
  EXPECT_TRUE(open_payload(PayloadDomain::kMessage, kClueId, message, pair).has_value());
  EXPECT_TRUE(open_payload(PayloadDomain::kReply, kClueId, reply, pair).has_value());
  EXPECT_TRUE(open_payload(PayloadDomain::kEnvelope, kClueId, envelope, pair).has_value());
  const auto auth = errc::authentication_failed;
  EXPECT_TRUE(fails_with(open_payload(PayloadDomain::kReply, kClueId, message, pair), auth));
  EXPECT_TRUE(fails_with(open_payload(PayloadDomain::kEnvelope, kClueId, message, pair), auth));
  EXPECT_TRUE(fails_with(open_payload(PayloadDomain::kMessage, kClueId, reply, pair), auth));
  EXPECT_TRUE(fails_with(open_payload(PayloadDomain::kMessage, kClueId, envelope, pair), auth));
  for (std::size_t bit = 0; bit < 128; ++bit) {
    EXPECT_TRUE(fails_with(
        open_payload(PayloadDomain::kMessage, test::flip_bit(kClueId, bit), message, pair), auth));
  }
  EXPECT_TRUE(fails_with(open_payload(PayloadDomain::kEnvelope, Bytes{}, envelope, pair), auth));
  EXPECT_TRUE(fails_with(open_payload(PayloadDomain::kMessage, Bytes(15), message, pair),
                         errc::invalid_argument));
}

TEST(SealedPayload, EveryBitFlipOfASmallPayloadIsRefused) {
  const Units units(1);
  const Bytes m = test::random_vector(100);
  const auto payload =
      test::must(seal_payload(PayloadDomain::kMessage, kClueId, units.public_keys, m), "seal");
  ASSERT_EQ(payload.size(), header_size(1) + 4 + 1024 + 16);
  for (std::size_t bit = 0; bit < payload.size() * 8; ++bit) {
    ASSERT_TRUE(refused(open_payload(PayloadDomain::kMessage, kClueId, test::flip_bit(payload, bit),
                                     units.pairs[0])))
        << bit;
  }
}

TEST(SealedPayload, SampledBitFlipsOfALargeMultiRecipientPayloadAreRefused) {
  const Units units(3);
  const Bytes m = test::random_vector(70000);
  const auto payload =
      test::must(seal_payload(PayloadDomain::kMessage, kClueId, units.public_keys, m), "seal");
  // Every bit of the header and length, sampled bits of the ciphertext.
  std::vector<std::size_t> bits;
  for (std::size_t bit = 0; bit < (header_size(3) + 4) * 8; ++bit) bits.push_back(bit);
  for (std::size_t bit : test::bit_positions(payload.size(), 0, 1024)) bits.push_back(bit);
  for (std::size_t bit : bits) {
    ASSERT_TRUE(refused(open_payload(PayloadDomain::kMessage, kClueId, test::flip_bit(payload, bit),
                                     units.pairs[2])))
        << bit;
  }
}

TEST(SealedPayload, EveryTruncationAndExtensionIsMalformed) {
  const Units units(1);
  const auto payload = test::must(
      seal_payload(PayloadDomain::kMessage, kClueId, units.public_keys, Bytes(10)), "seal");
  for (std::size_t n = 0; n < payload.size(); ++n) {
    const auto cut = std::span(payload).first(n);
    ASSERT_TRUE(fails_with(parse_payload(cut), errc::invalid_argument)) << n;
    ASSERT_TRUE(fails_with(open_payload(PayloadDomain::kMessage, kClueId, cut, units.pairs[0]),
                           errc::invalid_argument))
        << n;
  }
  for (std::size_t extra = 1; extra <= 64; ++extra) {
    Bytes longer = payload;
    longer.resize(payload.size() + extra);
    EXPECT_TRUE(fails_with(open_payload(PayloadDomain::kMessage, kClueId, longer, units.pairs[0]),
                           errc::invalid_argument))
        << extra;
  }
}

TEST(SealedPayload, ParseChecksStructure) {
  const Units units(2);
  const auto payload = test::must(
      seal_payload(PayloadDomain::kMessage, kClueId, units.public_keys, Bytes(10)), "seal");
  const auto parsed = test::must(parse_payload(payload), "parse");
  EXPECT_EQ(parsed.header.data(), payload.data());
  EXPECT_EQ(parsed.header.size(), header_size(2));
  EXPECT_EQ(parsed.ciphertext.data(), payload.data() + header_size(2) + 4);
  EXPECT_EQ(parsed.ciphertext.size(), 1040u);
  EXPECT_TRUE(std::equal(parsed.nonce.begin(), parsed.nonce.end(), payload.begin() + 1 + 192));

  Bytes zero = payload;
  zero[0] = std::byte{0};
  EXPECT_TRUE(fails_with(parse_payload(zero), errc::invalid_argument));
  Bytes many = payload;
  many[0] = std::byte{17};
  EXPECT_TRUE(fails_with(parse_payload(many), errc::invalid_argument));
  Bytes duplicate = payload;
  std::copy(payload.begin() + 1, payload.begin() + 17, duplicate.begin() + 97);
  EXPECT_TRUE(fails_with(parse_payload(duplicate), errc::invalid_argument));
  // Length fields that name no bucket, or a bucket that is not there.
  const std::size_t at = header_size(2);
  for (std::uint32_t len : {0u, 15u, 16u, 1039u, 1041u, 4112u, 0xFFFFFFFFu, 0x80000000u}) {
    Bytes b = payload;
    b[at] = static_cast<std::byte>(len >> 24);
    b[at + 1] = static_cast<std::byte>(len >> 16);
    b[at + 2] = static_cast<std::byte>(len >> 8);
    b[at + 3] = static_cast<std::byte>(len);
    EXPECT_TRUE(fails_with(parse_payload(b), errc::invalid_argument)) << len;
  }
}

TEST(SealedPayload, ReplyPayloadWithSeveralRecipientsIsMalformed) {
  const Units units(2);
  const auto payload = test::must(
      seal_payload(PayloadDomain::kEnvelope, kClueId, units.public_keys, Bytes(10)), "seal");
  EXPECT_TRUE(fails_with(open_payload(PayloadDomain::kReply, kClueId, payload, units.pairs[0]),
                         errc::invalid_argument));
}

TEST(SealedPayload, KeyPairWithoutSecretIsRefused) {
  const Units units(1);
  const auto payload = test::must(
      seal_payload(PayloadDomain::kMessage, kClueId, units.public_keys, Bytes(10)), "seal");
  BoxKeyPair empty{units.public_keys[0], SecureBuffer()};
  EXPECT_TRUE(fails_with(open_payload(PayloadDomain::kMessage, kClueId, payload, empty),
                         errc::invalid_argument));
  EXPECT_TRUE(fails_with(open_data_key(payload, empty), errc::invalid_argument));
}

TEST(SealedPayload, MismatchedKeyPairCannotOpen) {
  const Units units(2);
  const auto payload = test::must(seal_payload(PayloadDomain::kMessage, kClueId,
                                               std::span(units.public_keys).first(1), Bytes(10)),
                                  "seal");
  // Unit 0's public key (so the key id matches) with unit 1's secret key.
  const auto wrong =
      test::must(box_key_pair_from_secret(units.pairs[1].secret_key.bytes()), "pair");
  BoxKeyPair spliced{units.public_keys[0], test::secure_from(wrong.secret_key.bytes())};
  EXPECT_TRUE(fails_with(open_payload(PayloadDomain::kMessage, kClueId, payload, spliced),
                         errc::authentication_failed));
}

TEST(SealedPayload, TransferGivesANewUnitAccess) {
  const Units units(3);
  const Bytes m = test::random_vector(3000);
  const auto payload = test::must(
      seal_payload(PayloadDomain::kMessage, kClueId, std::span(units.public_keys).first(2), m),
      "seal");
  const auto& newcomer = units.pairs[2];
  EXPECT_TRUE(fails_with(open_payload(PayloadDomain::kMessage, kClueId, payload, newcomer),
                         errc::authentication_failed));

  const auto data_key = test::must(open_data_key(payload, units.pairs[1]), "data key");
  ASSERT_EQ(data_key.size(), 32u);
  const PayloadRecipient entry = reseal_data_key(data_key, newcomer.public_key);
  EXPECT_EQ(entry.key_id, key_id(newcomer.public_key));
  const std::vector<PayloadRecipient> transferred = {entry};
  const auto opened =
      open_payload(PayloadDomain::kMessage, kClueId, payload, newcomer, transferred);
  ASSERT_TRUE(opened.has_value());
  EXPECT_TRUE(test::same_bytes(opened->bytes(), m));

  // An entry sealing some other key does not open it.
  auto other_key = test::secure_from(test::random_vector(32));
  const std::vector<PayloadRecipient> forged = {reseal_data_key(other_key, newcomer.public_key)};
  EXPECT_TRUE(fails_with(open_payload(PayloadDomain::kMessage, kClueId, payload, newcomer, forged),
                         errc::authentication_failed));
  // Every bit of the transferred entry matters.
  for (std::size_t bit = 0; bit < kRecipientEntryBytes * 8; bit += 3) {
    Bytes raw(entry.key_id.begin(), entry.key_id.end());
    raw.insert(raw.end(), entry.sealed_key.begin(), entry.sealed_key.end());
    raw = test::flip_bit(raw, bit);
    PayloadRecipient changed{};
    std::copy(raw.begin(), raw.begin() + 16, changed.key_id.begin());
    std::copy(raw.begin() + 16, raw.end(), changed.sealed_key.begin());
    const std::vector<PayloadRecipient> list = {changed};
    EXPECT_TRUE(fails_with(open_payload(PayloadDomain::kMessage, kClueId, payload, newcomer, list),
                           errc::authentication_failed))
        << bit;
  }
  EXPECT_THROW(reseal_data_key(SecureBuffer(), newcomer.public_key), std::invalid_argument);
  EXPECT_THROW(reseal_data_key(data_key, BoxPublicKey{}), std::invalid_argument);
}

TEST(SealedPayload, DeterministicSealUsesTheGivenKeyAndNonce) {
  const Units units(1);
  const Bytes data_key = test::random_vector(32);
  const Bytes nonce = test::random_vector(24);
  const Bytes m = test::random_vector(10);
  const auto payload = test::must(seal_payload_deterministic(PayloadDomain::kMessage, kClueId,
                                                             units.public_keys, m, data_key, nonce),
                                  "seal");
  const auto parsed = test::must(parse_payload(payload), "parse");
  EXPECT_TRUE(test::same_bytes(parsed.nonce, nonce));
  EXPECT_TRUE(test::same_bytes(test::must(open_data_key(payload, units.pairs[0]), "key").bytes(),
                               data_key));
  EXPECT_TRUE(fails_with(seal_payload_deterministic(PayloadDomain::kMessage, kClueId,
                                                    units.public_keys, m, Bytes(31), nonce),
                         errc::invalid_argument));
}

TEST(SealedPayload, FreshKeyAndNonceEachTime) {
  const Units units(1);
  const Bytes m(10);
  const auto a =
      test::must(seal_payload(PayloadDomain::kMessage, kClueId, units.public_keys, m), "a");
  const auto b =
      test::must(seal_payload(PayloadDomain::kMessage, kClueId, units.public_keys, m), "b");
  EXPECT_NE(a, b);
  EXPECT_NE(test::must(parse_payload(a), "pa").nonce, test::must(parse_payload(b), "pb").nonce);
}

}  // namespace
}  // namespace clueline::crypto
