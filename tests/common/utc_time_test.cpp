#include "clueline/common/utc_time.hpp"

#include <gtest/gtest.h>

namespace clueline {
namespace {

TEST(UtcTime, WritesRfc3339WithSeconds) {
  EXPECT_EQ(utc_text(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(utc_text(1795428000), "2026-11-23T10:00:00Z");
}

TEST(UtcTime, ReadsBackWhatItWrites) {
  for (const std::int64_t seconds : {0LL, 951782400LL, 1795428000LL, 4102444799LL}) {
    EXPECT_EQ(parse_utc_text(utc_text(seconds)), seconds);
  }
}

TEST(UtcTime, RefusesOtherForms) {
  EXPECT_FALSE(parse_utc_text(""));
  EXPECT_FALSE(parse_utc_text("2026-11-23 10:00:00Z"));
  EXPECT_FALSE(parse_utc_text("2026-11-23T10:00:00"));
  EXPECT_FALSE(parse_utc_text("2026-11-23T10:00:00+00:00"));
  EXPECT_FALSE(parse_utc_text("2026-11-23T10:00:00.5Z"));
  EXPECT_FALSE(parse_utc_text("1795428000"));
  EXPECT_FALSE(parse_utc_text("2026-02-30T00:00:00Z"));
  EXPECT_FALSE(parse_utc_text("2026-11-23T24:00:00Z"));
}

}  // namespace
}  // namespace clueline
