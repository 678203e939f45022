#include "clueline/crypto/receipt.hpp"

#include <gtest/gtest.h>

#include <set>

#include "test_util.hpp"

namespace clueline::crypto {
namespace {

using test::fails_with;

TEST(Receipt, GeneratesTwentyFiveDigits) {
  std::set<std::string> seen;
  std::array<int, 10> counts{};
  for (int i = 0; i < 200; ++i) {
    const std::string r = generate_receipt();
    ASSERT_EQ(r.size(), 25u);
    for (char c : r) {
      ASSERT_TRUE(c >= '0' && c <= '9');
      ++counts[static_cast<std::size_t>(c - '0')];
    }
    seen.insert(r);
  }
  EXPECT_EQ(seen.size(), 200u);
  // 5000 digits: each of 10 values appears about 500 times.
  for (int n : counts) {
    EXPECT_GT(n, 350);
    EXPECT_LT(n, 650);
  }
}

TEST(Receipt, FormatsInFiveGroups) {
  EXPECT_EQ(format_receipt("1234567890123456789012345"), "12345-67890-12345-67890-12345");
  EXPECT_EQ(format_receipt("12345 67890 12345 67890 12345"), "12345-67890-12345-67890-12345");
  EXPECT_THROW(format_receipt("123"), std::invalid_argument);
}

TEST(Receipt, NormalizationRemovesSpacesAndHyphensOnly) {
  const std::string d = "1234567890123456789012345";
  for (const std::string& typed :
       std::vector<std::string>{d, std::string("12345-67890-12345-67890-12345"),
                                std::string("12345 67890 12345 67890 12345"),
                                std::string(" -12345--67890 12345-67890-12345- "),
                                std::string("1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5")}) {
    auto r = normalize_receipt(typed);
    ASSERT_TRUE(r.has_value()) << typed;
    EXPECT_EQ(*r, d);
  }
  for (const std::string& typed : std::vector<std::string>{
           std::string(""), std::string("123456789012345678901234"),
           std::string("12345678901234567890123456"), std::string("12345-67890-12345-67890-1234O"),
           std::string("12345\t67890123456789012345"), std::string("12345_67890123456789012345"),
           std::string("12345\xe2\x80\x93"
                       "67890123456789012345"),
           std::string("123456789012345678901234\xef\xbc\x91"),
           std::string("1234567890123456789012345\0", 26),
           std::string("+1234567890123456789012345"), std::string("-------------------------")}) {
    EXPECT_TRUE(fails_with(normalize_receipt(typed), errc::invalid_argument)) << typed;
  }
}

TEST(Receipt, DerivationIsDeterministicAndSaltBound) {
  // One derivation with the fixed 64 MiB parameters per case.
  const auto salt = test::random_array<16>();
  const auto a = test::must(derive_receipt_keys("12345-67890-12345-67890-12345", salt), "a");
  const auto b = test::must(derive_receipt_keys("1234567890123456789012345", salt), "b");
  EXPECT_TRUE(test::same_bytes(a.lookup_key.bytes(), b.lookup_key.bytes()));
  EXPECT_EQ(a.lookup_hash, b.lookup_hash);
  EXPECT_EQ(a.reply_key_pair.public_key, b.reply_key_pair.public_key);
  EXPECT_EQ(a.lookup_hash, receipt_lookup_hash(a.lookup_key.bytes()));
  // The reply pair is a working box pair.
  const auto check =
      test::must(box_key_pair_from_secret(a.reply_key_pair.secret_key.bytes()), "pair");
  EXPECT_EQ(check.public_key, a.reply_key_pair.public_key);
  // Lookup key and reply secret are different halves.
  EXPECT_FALSE(test::same_bytes(a.lookup_key.bytes(), a.reply_key_pair.secret_key.bytes()));

  auto other_salt = salt;
  other_salt[0] ^= std::byte{1};
  const auto c = test::must(derive_receipt_keys("1234567890123456789012345", other_salt), "c");
  EXPECT_NE(c.lookup_hash, a.lookup_hash);
}

TEST(Receipt, DerivationRefusesBadInput) {
  const auto salt = test::random_array<16>();
  EXPECT_TRUE(fails_with(derive_receipt_keys("123", salt), errc::invalid_argument));
  for (std::size_t n : {0u, 15u, 17u, 32u}) {
    const Bytes s(n);
    EXPECT_TRUE(
        fails_with(derive_receipt_keys("1234567890123456789012345", s), errc::invalid_argument));
  }
}

}  // namespace
}  // namespace clueline::crypto
