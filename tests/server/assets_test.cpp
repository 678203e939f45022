#include "assets.hpp"

#include <gtest/gtest.h>

namespace clueline::server {
namespace {

TEST(ChooseContentCoding, PrefersBrotliThenGzipAndHonoursZeroQuality) {
  EXPECT_EQ(choose_content_coding("gzip, deflate, br", true, true), ContentCoding::kBrotli);
  EXPECT_EQ(choose_content_coding("gzip, deflate, br", true, false), ContentCoding::kGzip);
  EXPECT_EQ(choose_content_coding("gzip, deflate, br", false, false), ContentCoding::kIdentity);
  EXPECT_EQ(choose_content_coding("br;q=0, gzip", true, true), ContentCoding::kGzip);
  EXPECT_EQ(choose_content_coding("br;q=0.0, gzip;q=0", true, true), ContentCoding::kIdentity);
  EXPECT_EQ(choose_content_coding("GZIP", true, true), ContentCoding::kGzip);
  EXPECT_EQ(choose_content_coding("x-gzip", true, true), ContentCoding::kGzip);
}

TEST(ChooseContentCoding, AbsentOrUnknownCodingsGetIdentity) {
  EXPECT_EQ(choose_content_coding("", true, true), ContentCoding::kIdentity);
  EXPECT_EQ(choose_content_coding("identity", true, true), ContentCoding::kIdentity);
  EXPECT_EQ(choose_content_coding("deflate, zstd", true, true), ContentCoding::kIdentity);
  // Refusing identity while accepting nothing available still gets bytes.
  EXPECT_EQ(choose_content_coding("identity;q=0", true, true), ContentCoding::kIdentity);
}

TEST(ChooseContentCoding, StarNamesEveryCodingUnlessOneIsNamed) {
  EXPECT_EQ(choose_content_coding("*", true, true), ContentCoding::kBrotli);
  EXPECT_EQ(choose_content_coding("*;q=0.5", false, true), ContentCoding::kBrotli);
  EXPECT_EQ(choose_content_coding("br;q=0, *", true, true), ContentCoding::kGzip);
  EXPECT_EQ(choose_content_coding("*;q=0", true, true), ContentCoding::kIdentity);
}

TEST(ChooseContentCoding, MalformedPartsAreIgnored) {
  // An unreadable q-value drops only its own element.
  EXPECT_EQ(choose_content_coding("br;q=high, gzip", true, true), ContentCoding::kGzip);
  EXPECT_EQ(choose_content_coding("br;q=2", true, false), ContentCoding::kIdentity);
  EXPECT_EQ(choose_content_coding(",,; ;q=,br", true, true), ContentCoding::kBrotli);
  EXPECT_EQ(choose_content_coding("  br  ;  q=0.3 ", false, true), ContentCoding::kBrotli);
}

}  // namespace
}  // namespace clueline::server
