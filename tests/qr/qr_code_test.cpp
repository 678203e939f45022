#include "clueline/qr/qr_code.hpp"

#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "decode_util.hpp"

namespace clueline::qr {
namespace {

constexpr std::string_view kSiteUrl = "https://clueline.example.org/s/AbC123xyz-_0?v=2";

std::optional<testing::Decoded> decode(const QrCode& code, int scale = 4) {
  return testing::decode_grid(
      code.size(), [&](int x, int y) { return code.is_dark(x, y); }, scale);
}

QrCode must_encode(std::string_view text, ErrorCorrection ec = ErrorCorrection::kMedium) {
  auto r = encode(text, ec);
  EXPECT_TRUE(r.has_value()) << "encode failed for " << text.size() << " bytes";
  return std::move(r).value();
}

class EncodeLevel : public ::testing::TestWithParam<std::tuple<ErrorCorrection, std::string>> {};

TEST_P(EncodeLevel, DecodesToSameTextAtRequestedLevel) {
  const auto [ec, letter] = GetParam();
  const QrCode code = must_encode(kSiteUrl, ec);
  EXPECT_EQ(code.error_correction(), ec);
  const auto decoded = decode(code);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->text, kSiteUrl);
  EXPECT_EQ(decoded->ec_level, letter);
}

INSTANTIATE_TEST_SUITE_P(AllLevels, EncodeLevel,
                         ::testing::Values(std::make_tuple(ErrorCorrection::kLow, "L"),
                                           std::make_tuple(ErrorCorrection::kMedium, "M"),
                                           std::make_tuple(ErrorCorrection::kQuartile, "Q"),
                                           std::make_tuple(ErrorCorrection::kHigh, "H")),
                         [](const auto& info) { return std::get<1>(info.param); });

TEST(Encode, DefaultLevelIsMedium) {
  const QrCode code = must_encode(kSiteUrl);
  EXPECT_EQ(code.error_correction(), ErrorCorrection::kMedium);
  const auto decoded = decode(code);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->ec_level, "M");
}

TEST(Encode, NonAsciiTextRoundTripsAsUtf8) {
  const std::string text = "举报线索 — café ✓ 𝄞";
  const QrCode code = must_encode(text);
  const auto decoded = decode(code);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->text, text);
}

TEST(Encode, ShortTextGivesVersionOne) {
  const QrCode code = must_encode("HELLO", ErrorCorrection::kLow);
  EXPECT_EQ(code.size(), 21);
  EXPECT_EQ(code.version(), 1);
}

TEST(Encode, VersionMatchesSizeAndGrowsWithTextAndLevel) {
  const QrCode small = must_encode(std::string(20, 'x'), ErrorCorrection::kMedium);
  const QrCode large = must_encode(std::string(400, 'x'), ErrorCorrection::kMedium);
  const QrCode large_high = must_encode(std::string(400, 'x'), ErrorCorrection::kHigh);
  for (const QrCode* c : {&small, &large, &large_high}) {
    EXPECT_EQ(c->size(), 17 + 4 * c->version());
    EXPECT_GE(c->version(), 1);
    EXPECT_LE(c->version(), 40);
  }
  EXPECT_LT(small.version(), large.version());
  EXPECT_LT(large.version(), large_high.version());
}

TEST(Encode, IsDeterministic) {
  EXPECT_EQ(must_encode(kSiteUrl), must_encode(kSiteUrl));
  EXPECT_NE(must_encode(kSiteUrl), must_encode("https://clueline.example.org/s/other"));
}

TEST(Encode, HasFinderPatternsInThreeCorners) {
  const QrCode code = must_encode(kSiteUrl);
  const int n = code.size();
  // Each finder pattern: 7x7 dark ring, light ring, 3x3 dark centre, and a
  // light separator outside it.
  auto check_finder = [&](int ox, int oy) {
    for (int i = 0; i < 7; ++i) {
      EXPECT_TRUE(code.is_dark(ox + i, oy)) << ox << "," << oy;
      EXPECT_TRUE(code.is_dark(ox + i, oy + 6));
      EXPECT_TRUE(code.is_dark(ox, oy + i));
      EXPECT_TRUE(code.is_dark(ox + 6, oy + i));
    }
    for (int i = 1; i < 6; ++i) {
      EXPECT_FALSE(code.is_dark(ox + i, oy + 1));
      EXPECT_FALSE(code.is_dark(ox + i, oy + 5));
    }
    for (int y = 2; y < 5; ++y) {
      for (int x = 2; x < 5; ++x) {
        EXPECT_TRUE(code.is_dark(ox + x, oy + y));
      }
    }
  };
  check_finder(0, 0);
  check_finder(n - 7, 0);
  check_finder(0, n - 7);
  EXPECT_FALSE(code.is_dark(7, 0));  // separator
  EXPECT_FALSE(code.is_dark(0, 7));
  EXPECT_FALSE(code.is_dark(n - 8, 0));
  EXPECT_FALSE(code.is_dark(7, n - 1));
}

TEST(Encode, OutsideTheMatrixIsLight) {
  const QrCode code = must_encode(kSiteUrl);
  ASSERT_TRUE(code.is_dark(0, 0));
  ASSERT_TRUE(code.is_dark(code.size() - 1, 0));
  EXPECT_FALSE(code.is_dark(-1, 0));
  EXPECT_FALSE(code.is_dark(0, -1));
  EXPECT_FALSE(code.is_dark(code.size(), 0));
  EXPECT_FALSE(code.is_dark(0, code.size()));
  EXPECT_FALSE(code.is_dark(-1000, 1000));
}

TEST(Encode, EmptyTextIsRejected) {
  auto r = encode("");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), make_error_code(errc::invalid_argument));
}

TEST(Encode, InvalidUtf8IsRejected) {
  for (const std::string& bad : {
           std::string("\xff"),
           std::string("abc\xe4\xb8"),       // truncated 3-byte sequence
           std::string("\xc0\xaf"),          // overlong '/'
           std::string("\xed\xa0\x80"),      // UTF-16 surrogate
           std::string("\xf4\x90\x80\x80"),  // above U+10FFFF
           std::string("a\x80z"),            // stray continuation byte
       }) {
    auto r = encode(bad);
    ASSERT_FALSE(r.has_value()) << "accepted invalid UTF-8 of " << bad.size() << " bytes";
    EXPECT_EQ(r.error(), make_error_code(errc::invalid_argument));
  }
}

TEST(Encode, CapacityLimitsPerLevel) {
  struct Case {
    ErrorCorrection ec;
    std::size_t max_bytes;
  };
  for (const Case& c :
       {Case{ErrorCorrection::kLow, 2953}, Case{ErrorCorrection::kMedium, 2331},
        Case{ErrorCorrection::kQuartile, 1663}, Case{ErrorCorrection::kHigh, 1273}}) {
    auto fits = encode(std::string(c.max_bytes, 'a'), c.ec);
    ASSERT_TRUE(fits.has_value()) << c.max_bytes;
    EXPECT_EQ(fits->version(), 40);
    auto too_long = encode(std::string(c.max_bytes + 1, 'a'), c.ec);
    ASSERT_FALSE(too_long.has_value()) << c.max_bytes + 1;
    EXPECT_EQ(too_long.error(), make_error_code(errc::invalid_argument));
  }
}

TEST(Encode, HugeInputIsRejected) {
  auto r = encode(std::string(100000, '1'), ErrorCorrection::kLow);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), make_error_code(errc::invalid_argument));
}

TEST(Encode, LargestSymbolStillDecodes) {
  std::string text;
  for (int i = 0; text.size() < 2953; ++i) {
    text += static_cast<char>('a' + i % 26);
  }
  const QrCode code = must_encode(text, ErrorCorrection::kLow);
  EXPECT_EQ(code.version(), 40);
  const auto decoded = decode(code, 3);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->text, text);
}

}  // namespace
}  // namespace clueline::qr
