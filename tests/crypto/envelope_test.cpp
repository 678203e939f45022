#include "clueline/crypto/envelope.hpp"

#include <gtest/gtest.h>

#include "test_util.hpp"

namespace clueline::crypto {
namespace {

using test::fails_with;
using test::refused;

constexpr std::size_t kCategoryAt = 4 + kSiteTokenBytes + 1;

class EnvelopeTest : public ::testing::Test {
 protected:
  EnvelopeTest() {
    header_.site_token = sign_site_token_raw({4242, 7}, site_key_);
    header_.category = "fraud";
    header_.accused_level = "";
    header_.reply_public_key = generate_box_key_pair().public_key;
    header_.receipt_lookup_hash = test::random_array<32>();
    header_.pow_challenge = test::random_array<32>();
    header_.pow_nonce = solve_pow(header_.pow_challenge, 4);
    for (int i = 0; i < 3; ++i) {
      units_.push_back(generate_box_key_pair());
      keys_.push_back(units_.back().public_key);
    }
  }

  Bytes seal(std::string_view body, std::size_t recipients = 1) {
    return test::must(seal_envelope(header_, std::span(keys_).first(recipients), body), "seal");
  }

  SigningKeyPair site_key_ = generate_signing_key_pair();
  EnvelopeHeader header_{};
  std::vector<BoxKeyPair> units_;
  std::vector<BoxPublicKey> keys_;
  const std::string body_ = R"({"v":1,"text":"会议记录被篡改","lang":"zh"})";
};

TEST_F(EnvelopeTest, RoundTripAndParse) {
  header_.accused_level = "department_head";
  const Bytes envelope = seal(body_, 3);
  const auto parsed = test::must(parse_envelope(envelope), "parse");
  EXPECT_EQ(parsed.header, header_);
  EXPECT_EQ(parsed.payload.recipients.size(), 3u);
  EXPECT_EQ(parsed.context.data(), envelope.data());
  EXPECT_EQ(parsed.context.size(), kEnvelopeFixedBytes + 5 + 15);
  EXPECT_EQ(parsed.payload.header.data(), envelope.data() + parsed.context.size());
  EXPECT_TRUE(std::equal(envelope.begin(), envelope.begin() + 4, as_bytes("CLE2").begin()));
  for (const auto& unit : units_) {
    const auto body = open_envelope(envelope, unit);
    ASSERT_TRUE(body.has_value()) << body.error().message();
    EXPECT_TRUE(test::same_bytes(body->bytes(), as_bytes(body_)));
  }
  const auto token = verify_site_token_bytes(parsed.header.site_token, site_key_.public_key);
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(token->site_id, 4242u);
  EXPECT_TRUE(verify_pow(parsed.header.pow_challenge, parsed.header.pow_nonce, 4));
}

TEST_F(EnvelopeTest, WrongUnitCannotOpen) {
  const Bytes envelope = seal(body_, 1);
  EXPECT_TRUE(fails_with(open_envelope(envelope, units_[1]), errc::authentication_failed));
  EXPECT_TRUE(
      fails_with(open_envelope(envelope, generate_box_key_pair()), errc::authentication_failed));
}

TEST_F(EnvelopeTest, EveryBitFlipIsRefused) {
  const Bytes envelope = seal(R"({"v":1,"text":"x"})", 1);
  for (std::size_t bit = 0; bit < envelope.size() * 8; ++bit) {
    ASSERT_TRUE(refused(open_envelope(test::flip_bit(envelope, bit), units_[0]))) << bit;
  }
}

TEST_F(EnvelopeTest, EveryTruncationAndExtensionIsMalformed) {
  const Bytes envelope = seal(body_, 1);
  for (std::size_t n = 0; n < envelope.size(); ++n) {
    ASSERT_TRUE(fails_with(parse_envelope(std::span(envelope).first(n)), errc::invalid_argument))
        << n;
    ASSERT_TRUE(
        fails_with(open_envelope(std::span(envelope).first(n), units_[0]), errc::invalid_argument))
        << n;
  }
  for (std::size_t extra = 1; extra <= 40; ++extra) {
    Bytes longer = envelope;
    longer.resize(envelope.size() + extra, std::byte{0});
    EXPECT_TRUE(fails_with(open_envelope(longer, units_[0]), errc::invalid_argument)) << extra;
  }
}

// Changing an authenticated header field to another well-formed value keeps
// the envelope parseable but makes the body unopenable.
TEST_F(EnvelopeTest, TamperedHeaderFieldsMakeTheBodyUnopenable) {
  const Bytes original = seal(body_, 1);
  const auto reseal_header = [&](const EnvelopeHeader& h) {
    // The new header's bytes followed by the original payload.
    EnvelopeHeader copy = h;
    std::swap(copy, header_);
    Bytes fresh = seal(body_, 1);
    std::swap(copy, header_);
    const auto parsed_fresh = test::must(parse_envelope(fresh), "fresh");
    const auto parsed_original = test::must(parse_envelope(original), "original");
    Bytes spliced(parsed_fresh.context.begin(), parsed_fresh.context.end());
    spliced.insert(spliced.end(),
                   original.begin() + static_cast<std::ptrdiff_t>(parsed_original.context.size()),
                   original.end());
    return spliced;
  };
  std::vector<std::pair<std::string, EnvelopeHeader>> changes;
  auto h = header_;
  h.category = "frauds";
  changes.emplace_back("category", h);
  h = header_;
  h.accused_level = "ceo";
  changes.emplace_back("accused level", h);
  h = header_;
  h.reply_public_key = generate_box_key_pair().public_key;
  changes.emplace_back("reply key", h);
  h = header_;
  h.receipt_lookup_hash[5] ^= std::byte{1};
  changes.emplace_back("lookup hash", h);
  h = header_;
  h.site_token = sign_site_token_raw({4242, 8}, site_key_);
  changes.emplace_back("site token (valid, other version)", h);
  h = header_;
  h.pow_challenge[0] ^= std::byte{1};
  changes.emplace_back("pow challenge", h);
  h = header_;
  h.pow_nonce[7] ^= std::byte{1};
  changes.emplace_back("pow nonce", h);
  for (const auto& [what, changed] : changes) {
    const Bytes spliced = reseal_header(changed);
    const auto parsed = parse_envelope(spliced);
    ASSERT_TRUE(parsed.has_value()) << what;
    EXPECT_EQ(parsed->header, changed) << what;
    EXPECT_TRUE(fails_with(open_envelope(spliced, units_[0]), errc::authentication_failed)) << what;
  }
  // Sanity: splicing the unchanged header opens.
  EXPECT_TRUE(open_envelope(reseal_header(header_), units_[0]).has_value());
}

TEST_F(EnvelopeTest, ParseRefusesBadMagic) {
  const Bytes envelope = seal(body_, 1);
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t bit = 0; bit < 8; ++bit) {
      EXPECT_TRUE(fails_with(parse_envelope(test::flip_bit(envelope, i * 8 + bit)),
                             errc::invalid_argument));
    }
  }
}

TEST_F(EnvelopeTest, ParseRefusesEveryCharacterOutsideTheCharset) {
  header_.accused_level = "x";
  const Bytes envelope = seal(body_, 1);
  const std::size_t accused_at = kCategoryAt + 5 + 1;
  for (int c = 0; c < 256; ++c) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    Bytes a = envelope;
    a[kCategoryAt + 2] = static_cast<std::byte>(c);
    Bytes b = envelope;
    b[accused_at] = static_cast<std::byte>(c);
    if (allowed) {
      EXPECT_TRUE(parse_envelope(a).has_value()) << c;
      EXPECT_TRUE(parse_envelope(b).has_value()) << c;
    } else {
      EXPECT_TRUE(fails_with(parse_envelope(a), errc::invalid_argument)) << c;
      EXPECT_TRUE(fails_with(parse_envelope(b), errc::invalid_argument)) << c;
    }
  }
}

TEST_F(EnvelopeTest, RoutingFieldLengths) {
  const std::string max(32, 'a');
  header_.category = max;
  header_.accused_level = max;
  const Bytes envelope = seal(body_, 1);
  EXPECT_TRUE(open_envelope(envelope, units_[0]).has_value());
  // Length bytes of 33 or 0 (category) are malformed whatever follows.
  Bytes long_category = envelope;
  long_category[kCategoryAt - 1] = std::byte{33};
  EXPECT_TRUE(fails_with(parse_envelope(long_category), errc::invalid_argument));
  Bytes empty_category = envelope;
  empty_category[kCategoryAt - 1] = std::byte{0};
  EXPECT_TRUE(fails_with(parse_envelope(empty_category), errc::invalid_argument));
  Bytes long_accused = envelope;
  long_accused[kCategoryAt + 32] = std::byte{33};
  EXPECT_TRUE(fails_with(parse_envelope(long_accused), errc::invalid_argument));
  Bytes huge = envelope;
  huge[kCategoryAt - 1] = std::byte{255};
  EXPECT_TRUE(fails_with(parse_envelope(huge), errc::invalid_argument));
}

TEST_F(EnvelopeTest, SealRefusesBadHeaderAndBody) {
  for (const std::string& bad : std::vector<std::string>{"", "Fraud", "fr-aud", "fraud ",
                                                         std::string(33, 'a'), "caf\xc3\xa9"}) {
    header_.category = bad;
    EXPECT_TRUE(fails_with(seal_envelope(header_, std::span(keys_).first(1), body_),
                           errc::invalid_argument))
        << bad;
  }
  header_.category = "fraud";
  for (const std::string& bad : std::vector<std::string>{"A", "a.b", std::string(33, 'a')}) {
    header_.accused_level = bad;
    EXPECT_TRUE(fails_with(seal_envelope(header_, std::span(keys_).first(1), body_),
                           errc::invalid_argument))
        << bad;
  }
  header_.accused_level = "";
  EXPECT_TRUE(fails_with(seal_envelope(header_, std::span(keys_).first(1), "\xff"),
                         errc::invalid_argument));
  EXPECT_TRUE(fails_with(seal_envelope(header_, {}, body_), errc::invalid_argument));
  EXPECT_TRUE(
      fails_with(seal_envelope(header_, std::span(keys_).first(1), std::string(262144, 'a')),
                 errc::invalid_argument));
}

TEST_F(EnvelopeTest, BodyThatIsNotUtf8IsRefusedAfterOpening) {
  const Bytes envelope = seal(body_, 1);
  const auto parsed = test::must(parse_envelope(envelope), "parse");
  Bytes forged(parsed.context.begin(), parsed.context.end());
  const Bytes bad_body = {std::byte{'{'}, std::byte{0xff}, std::byte{'}'}};
  const auto payload = test::must(
      seal_payload(PayloadDomain::kEnvelope, forged, std::span(keys_).first(1), bad_body),
      "payload");
  forged.insert(forged.end(), payload.begin(), payload.end());
  EXPECT_TRUE(fails_with(open_envelope(forged, units_[0]), errc::invalid_argument));
}

TEST_F(EnvelopeTest, LargestEnvelopeIsTheMaximum) {
  std::vector<BoxPublicKey> sixteen;
  for (int i = 0; i < 16; ++i) sixteen.push_back(generate_box_key_pair().public_key);
  header_.category = std::string(32, 'c');
  header_.accused_level = std::string(32, 'a');
  const Bytes envelope =
      test::must(seal_envelope(header_, sixteen, std::string(262143, 'x')), "seal");
  EXPECT_EQ(envelope.size(), kMaxEnvelopeBytes);
  EXPECT_TRUE(parse_envelope(envelope).has_value());
  Bytes longer = envelope;
  longer.push_back(std::byte{0});
  EXPECT_TRUE(fails_with(parse_envelope(longer), errc::invalid_argument));
  header_.accused_level = "";
  const Bytes smallest = test::must(seal_envelope(header_, std::span(keys_).first(1), ""), "small");
  EXPECT_EQ(smallest.size(), kMinEnvelopeBytes + 31);
}

TEST_F(EnvelopeTest, TransferredEntryOpensTheEnvelope) {
  const Bytes envelope = seal(body_, 1);
  const auto parsed = test::must(parse_envelope(envelope), "parse");
  const auto payload = std::span(envelope).subspan(parsed.context.size());
  const auto data_key = test::must(open_data_key(payload, units_[0]), "data key");
  const std::vector<PayloadRecipient> entries = {reseal_data_key(data_key, units_[2].public_key)};
  EXPECT_TRUE(fails_with(open_envelope(envelope, units_[2]), errc::authentication_failed));
  const auto body = open_envelope(envelope, units_[2], entries);
  ASSERT_TRUE(body.has_value());
  EXPECT_TRUE(test::same_bytes(body->bytes(), as_bytes(body_)));
}

}  // namespace
}  // namespace clueline::crypto
