#include "clueline/routing/levels.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace clueline::routing {
namespace {

const std::vector<std::string>& default_names() {
  static const std::vector<std::string> names = {"central", "province", "city",
                                                 "county",  "township", "village"};
  return names;
}

Levels must_make(std::vector<std::string> names) {
  auto r = Levels::make(std::move(names));
  EXPECT_TRUE(r.has_value());
  return std::move(r).value();
}

void expect_invalid(const std::vector<std::string>& names) {
  auto r = Levels::make(names);
  ASSERT_FALSE(r.has_value()) << "accepted " << ::testing::PrintToString(names);
  EXPECT_EQ(r.error(), make_error_code(errc::invalid_argument));
}

TEST(Levels, DefaultLadderHighestFirst) {
  const auto& expected = default_names();
  const Levels levels;
  ASSERT_EQ(levels.size(), 6u);
  EXPECT_EQ(std::vector<std::string>(levels.names().begin(), levels.names().end()), expected);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(levels.rank(expected[i]), i);
    EXPECT_EQ(levels.name(i), expected[i]);
  }
  EXPECT_EQ(levels, must_make(expected));
}

TEST(Levels, MakeKeepsTheConfiguredOrder) {
  const Levels levels = must_make({"national", "state", "district", "ward_2"});
  EXPECT_EQ(levels.size(), 4u);
  EXPECT_EQ(levels.rank("national"), 0u);
  EXPECT_EQ(levels.rank("ward_2"), 3u);
  EXPECT_EQ(levels.name(1), "state");
  EXPECT_FALSE(levels.rank("village").has_value());
  EXPECT_NE(levels, Levels());
}

TEST(Levels, SingleLevelIsValid) {
  const Levels levels = must_make({"x"});
  EXPECT_EQ(levels.size(), 1u);
  EXPECT_EQ(levels.rank("x"), 0u);
  EXPECT_FALSE(levels.parent_level("x").has_value());
}

TEST(Levels, EmptyListIsRejected) { expect_invalid({}); }

TEST(Levels, DuplicatesAreRejected) {
  expect_invalid({"city", "city"});
  expect_invalid({"central", "province", "city", "province"});
}

TEST(Levels, MalformedNamesAreRejected) {
  for (const char* bad : {"", "City", "CITY", "1st", "_city", "city-level", "city level", " city",
                          "city\n", "caf\xc3\xa9", "ci.ty"}) {
    expect_invalid({"central", bad});
  }
  // A bad name anywhere in the list is caught, including first.
  expect_invalid({"Central", "province"});
}

TEST(Levels, WellFormedNamesAreAccepted) {
  for (const char* good : {"a", "z", "level_2", "a0", "county_level_city", "x__"}) {
    EXPECT_TRUE(Levels::make({good}).has_value()) << good;
  }
}

TEST(Levels, RankIsCaseSensitiveAndExact) {
  const Levels levels;
  EXPECT_FALSE(levels.rank("City").has_value());
  EXPECT_FALSE(levels.rank("cit").has_value());
  EXPECT_FALSE(levels.rank("city ").has_value());
  EXPECT_FALSE(levels.rank("").has_value());
}

TEST(Levels, NameOutOfRangeThrows) {
  const Levels levels;
  EXPECT_EQ(levels.name(5), "village");
  EXPECT_THROW(static_cast<void>(levels.name(6)), std::out_of_range);
  EXPECT_THROW(static_cast<void>(levels.name(static_cast<std::size_t>(-1))), std::out_of_range);
}

TEST(Levels, IsAbove) {
  const Levels levels;
  EXPECT_TRUE(levels.is_above("central", "village"));
  EXPECT_TRUE(levels.is_above("county", "township"));
  EXPECT_TRUE(levels.is_above("province", "city"));
  EXPECT_FALSE(levels.is_above("township", "county"));
  EXPECT_FALSE(levels.is_above("village", "central"));
  // Strict: a level is not above itself.
  EXPECT_FALSE(levels.is_above("city", "city"));
  // Unknown names are never above or below anything.
  EXPECT_FALSE(levels.is_above("galaxy", "village"));
  EXPECT_FALSE(levels.is_above("central", "hamlet"));
  EXPECT_FALSE(levels.is_above("galaxy", "hamlet"));
}

TEST(Levels, IsAboveFollowsConfiguredNotDefaultOrder) {
  // Reversed ladder: the order comes from configuration alone.
  const Levels levels = must_make({"village", "central"});
  EXPECT_TRUE(levels.is_above("village", "central"));
  EXPECT_FALSE(levels.is_above("central", "village"));
}

TEST(Levels, ParentLevel) {
  const Levels levels;
  EXPECT_EQ(levels.parent_level("village"), "township");
  EXPECT_EQ(levels.parent_level("township"), "county");
  EXPECT_EQ(levels.parent_level("county"), "city");
  EXPECT_EQ(levels.parent_level("city"), "province");
  EXPECT_EQ(levels.parent_level("province"), "central");
  EXPECT_FALSE(levels.parent_level("central").has_value());
  EXPECT_FALSE(levels.parent_level("hamlet").has_value());
}

TEST(Levels, WalkingParentsFromTheBottomVisitsEveryLevelOnce) {
  const Levels levels = must_make({"a", "b", "c", "d"});
  std::vector<std::string> seen;
  std::optional<std::string_view> level = levels.name(levels.size() - 1);
  while (level) {
    seen.emplace_back(*level);
    level = levels.parent_level(*level);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"d", "c", "b", "a"}));
}

TEST(Levels, ViewsSurviveMovingTheObject) {
  Levels levels = must_make({"central", "county", "village"});
  const std::string_view top = levels.name(0);
  const auto parent = levels.parent_level("village");
  const Levels moved = std::move(levels);
  EXPECT_EQ(top.data(), moved.name(0).data());
  EXPECT_EQ(top, "central");
  ASSERT_TRUE(parent.has_value());
  EXPECT_EQ(*parent, "county");
}

TEST(Levels, CopiesAreIndependentAndEqual) {
  const Levels a = must_make({"p", "q"});
  Levels b = a;
  EXPECT_EQ(a, b);
  b = Levels();
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(a.name(1), "q");
}

}  // namespace
}  // namespace clueline::routing
