#include "clueline/routing/policy.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace clueline::routing {
namespace {

// province 1 > city 2 > counties 3 (keys), 4 (keys), 5 (no keys) > township 6.
Tree small_tree() {
  std::vector<UnitNode> units = {
      {.id = 1, .parent_id = 0, .level = "province", .receiving = true, .name = "Province"},
      {.id = 2, .parent_id = 1, .level = "city", .receiving = true, .name = "City"},
      {.id = 3, .parent_id = 2, .level = "county", .receiving = true, .name = "East county"},
      {.id = 4, .parent_id = 2, .level = "county", .receiving = true, .name = "West county"},
      {.id = 5, .parent_id = 2, .level = "county", .receiving = false, .name = "North county"},
      {.id = 6, .parent_id = 3, .level = "township", .receiving = true, .name = "Town"},
  };
  return Tree::make(std::move(units), Levels{}).value();
}

// The problem text of a policy parse that must fail.
std::string parse_problem(const std::string& toml) {
  std::string problem;
  const auto policy = Policy::parse(toml, problem);
  EXPECT_FALSE(policy) << "accepted:\n" << toml;
  if (!policy) {
    EXPECT_EQ(policy.error(), errc::invalid_argument);
  }
  return problem;
}

// The problem text of a policy that parses but does not fit small_tree().
std::string check_problem(const std::string& toml) {
  std::string problem;
  const auto policy = Policy::parse(toml, problem);
  EXPECT_TRUE(policy) << problem;
  if (!policy) return problem;
  const auto checked = policy->check_against(small_tree(), problem);
  EXPECT_FALSE(checked) << "accepted:\n" << toml;
  return problem;
}

TEST(Policy, DefaultHasTheDocumentedLevelsCategoriesAndOverrides) {
  const Policy policy;
  EXPECT_EQ(policy.levels(), Levels{});
  ASSERT_NE(policy.category("protective_umbrella"), nullptr);
  EXPECT_EQ(policy.category("protective_umbrella")->minimum_level, "county");
  ASSERT_NE(policy.category("supervision_staff"), nullptr);
  EXPECT_EQ(policy.category("supervision_staff")->accused, Accused::kSupervisionStaff);
  ASSERT_NE(policy.category("unit_head"), nullptr);
  EXPECT_EQ(policy.category("unit_head")->accused, Accused::kUnitHead);
  ASSERT_NE(policy.category("bribery"), nullptr);
  EXPECT_EQ(policy.category("bribery")->accused, Accused::kCadre);
  EXPECT_TRUE(policy.category("bribery")->minimum_level.empty());
  EXPECT_EQ(policy.category("lottery"), nullptr);
  EXPECT_TRUE(policy.designations().empty());
  std::string problem;
  EXPECT_TRUE(policy.check_against(small_tree(), problem)) << problem;
}

TEST(Policy, EmptyFileIsTheDefault) {
  std::string problem;
  const auto policy = Policy::parse("", problem);
  ASSERT_TRUE(policy) << problem;
  EXPECT_EQ(policy->levels(), Levels{});
  EXPECT_EQ(policy->categories().size(), Policy{}.categories().size());
}

TEST(Policy, ParsesLevelsCategoriesOverridesAndDesignations) {
  std::string problem;
  const auto policy = Policy::parse(R"(
levels = ["province", "city", "county", "township", "village"]
categories = ["bribery", "land", "protective_umbrella"]

[overrides.land]
minimum_level = "city"
accused = "unit_head"

[[cross_jurisdiction]]
parent = 2
recusing = 3
handler = 4

[[cross_jurisdiction]]
parent = 2
handler = 3
)",
                                    problem);
  ASSERT_TRUE(policy) << problem;
  EXPECT_EQ(policy->levels().size(), 5u);
  EXPECT_EQ(policy->levels().name(0), "province");
  ASSERT_EQ(policy->categories().size(), 3u);
  EXPECT_EQ(policy->category("land")->minimum_level, "city");
  EXPECT_EQ(policy->category("land")->accused, Accused::kUnitHead);
  // A listed category keeps the built-in override of the same name.
  EXPECT_EQ(policy->category("protective_umbrella")->minimum_level, "county");
  EXPECT_EQ(policy->category("supervision_staff"), nullptr);
  ASSERT_EQ(policy->designations().size(), 2u);
  EXPECT_EQ(policy->designations()[0], (Designation{2, 3, 4}));
  EXPECT_EQ(policy->designations()[1], (Designation{2, 0, 3}));
}

TEST(Policy, DesignatedHandlerPrefersTheSpecificEntryAndNeverHandsToItself) {
  std::string problem;
  const auto policy = Policy::parse(R"(
[[cross_jurisdiction]]
parent = 2
handler = 3
[[cross_jurisdiction]]
parent = 2
recusing = 5
handler = 4
)",
                                    problem);
  ASSERT_TRUE(policy) << problem;
  const Tree tree = small_tree();
  ASSERT_TRUE(policy->check_against(tree, problem)) << problem;
  EXPECT_EQ(policy->designated_handler(tree, 4), 3u);  // any child of 2
  EXPECT_EQ(policy->designated_handler(tree, 5), 4u);  // the specific entry
  EXPECT_EQ(policy->designated_handler(tree, 3), 0u);  // the handler itself
  EXPECT_EQ(policy->designated_handler(tree, 6), 0u);  // 3 designated nobody
  EXPECT_EQ(policy->designated_handler(tree, 1), 0u);  // the root has no parent
}

TEST(Policy, OverridesCanClearABuiltInRule) {
  std::string problem;
  const auto policy = Policy::parse("[overrides.protective_umbrella]\n", problem);
  ASSERT_TRUE(policy) << problem;
  EXPECT_TRUE(policy->category("protective_umbrella")->minimum_level.empty());
}

// Acceptance: invalid policy files are refused with a message naming the
// problem.
TEST(PolicyRefusal, SyntaxErrorNamesTheLine) {
  EXPECT_NE(parse_problem("levels = [\"a\",\n\"b\"\ncategories = 3").find("line"),
            std::string::npos);
}

TEST(PolicyRefusal, UnknownKeysAreNamed) {
  EXPECT_EQ(parse_problem("colour = \"red\""), "colour: unknown key");
  EXPECT_EQ(parse_problem("[overrides.bribery]\nminimum = \"county\""),
            "overrides.bribery.minimum: unknown key");
  EXPECT_EQ(parse_problem("[[cross_jurisdiction]]\nparent = 1\nhandler = 2\nunit = 3"),
            "cross_jurisdiction[0].unit: unknown key");
}

TEST(PolicyRefusal, UnknownLevelIsNamed) {
  EXPECT_EQ(parse_problem("[overrides.protective_umbrella]\nminimum_level = \"prefecture\""),
            "overrides.protective_umbrella.minimum_level: unknown level \"prefecture\"");
  // A custom ladder without "county" makes the same override unknown.
  EXPECT_EQ(parse_problem("levels = [\"state\", \"district\"]\n"
                          "[overrides.protective_umbrella]\nminimum_level = \"county\""),
            "overrides.protective_umbrella.minimum_level: unknown level \"county\"");
}

TEST(PolicyRefusal, UnknownCategoryIsNamed) {
  EXPECT_EQ(parse_problem("[overrides.umbrella]\nminimum_level = \"county\""),
            "overrides.umbrella: unknown category \"umbrella\" (not in categories)");
  EXPECT_EQ(parse_problem("categories = [\"bribery\"]\n[overrides.land]\naccused = \"cadre\""),
            "overrides.land: unknown category \"land\" (not in categories)");
}

TEST(PolicyRefusal, MalformedValuesAreNamed) {
  EXPECT_EQ(parse_problem("levels = [\"Province\"]"),
            "levels: expected distinct lower-case names ([a-z][a-z0-9_]*), at least one");
  EXPECT_EQ(parse_problem("levels = [\"a\", \"a\"]"),
            "levels: expected distinct lower-case names ([a-z][a-z0-9_]*), at least one");
  EXPECT_EQ(parse_problem("levels = \"province\""), "levels: expected an array of strings");
  EXPECT_EQ(parse_problem("categories = [\"bribery\", \"bribery\"]"),
            "categories[1]: \"bribery\" appears twice");
  EXPECT_EQ(parse_problem("categories = [\"Bribery\"]"),
            "categories[0]: \"Bribery\" is not a name ([a-z][a-z0-9_]{0,31})");
  EXPECT_EQ(parse_problem("categories = []"), "categories: expected 1 to 64 names");
  EXPECT_EQ(parse_problem("[overrides.bribery]\naccused = \"mayor\""),
            "overrides.bribery.accused: expected \"cadre\", \"supervision_staff\" or "
            "\"unit_head\"");
  EXPECT_EQ(parse_problem("[[cross_jurisdiction]]\nhandler = 2"),
            "cross_jurisdiction[0].parent: required");
  EXPECT_EQ(parse_problem("[[cross_jurisdiction]]\nparent = 1\nhandler = -2"),
            "cross_jurisdiction[0].handler: expected a unit id (a positive integer)");
}

TEST(PolicyRefusal, UnitWithoutKeysAsTargetIsNamed) {
  EXPECT_EQ(check_problem("[[cross_jurisdiction]]\nparent = 2\nrecusing = 3\nhandler = 5"),
            "cross_jurisdiction[0].handler: unit 5 (North county, county) has no current key "
            "and cannot receive clues");
}

TEST(PolicyRefusal, CycleOfDesignationsIsNamed) {
  const std::string problem = check_problem(R"(
[[cross_jurisdiction]]
parent = 2
recusing = 3
handler = 4
[[cross_jurisdiction]]
parent = 2
recusing = 4
handler = 3
)");
  EXPECT_NE(problem.find("cross_jurisdiction: the designations form a cycle: "), std::string::npos)
      << problem;
  EXPECT_NE(problem.find("unit 3 (East county, county) -> unit 4 (West county, county) -> unit 3"),
            std::string::npos)
      << problem;
}

TEST(PolicyRefusal, DesignationsThatDoNotFitTheTreeAreNamed) {
  EXPECT_EQ(check_problem("[[cross_jurisdiction]]\nparent = 99\nhandler = 3"),
            "cross_jurisdiction[0].parent: unit 99 does not exist");
  EXPECT_EQ(check_problem("[[cross_jurisdiction]]\nparent = 2\nhandler = 6"),
            "cross_jurisdiction[0].handler: unit 6 (Town, township) is not a child of unit 2 "
            "(City, city)");
  EXPECT_EQ(check_problem("[[cross_jurisdiction]]\nparent = 2\nrecusing = 6\nhandler = 3"),
            "cross_jurisdiction[0].recusing: unit 6 (Town, township) is not a child of unit 2 "
            "(City, city)");
  EXPECT_EQ(check_problem("[[cross_jurisdiction]]\nparent = 2\nrecusing = 3\nhandler = 3"),
            "cross_jurisdiction[0]: a unit cannot be designated to take its own recusals");
  EXPECT_EQ(check_problem("[[cross_jurisdiction]]\nparent = 2\nhandler = 3\n"
                          "[[cross_jurisdiction]]\nparent = 2\nhandler = 4"),
            "cross_jurisdiction[1]: a second designation for every child of unit 2 (City, city)");
}

TEST(PolicyRefusal, HandlerBelowTheRecusingUnitIsNamed) {
  // City 2 has a county (3) and, skipping a level, a township (7).
  const Tree tree = Tree::make({{.id = 1, .parent_id = 0, .level = "province", .receiving = true},
                                {.id = 2, .parent_id = 1, .level = "city", .receiving = true},
                                {.id = 3, .parent_id = 2, .level = "county", .receiving = true},
                                {.id = 7, .parent_id = 2, .level = "township", .receiving = true}},
                               Levels{})
                        .value();
  std::string problem;
  auto policy =
      Policy::parse("[[cross_jurisdiction]]\nparent = 2\nrecusing = 3\nhandler = 7", problem);
  ASSERT_TRUE(policy) << problem;
  EXPECT_FALSE(policy->check_against(tree, problem));
  EXPECT_EQ(problem,
            "cross_jurisdiction[0].handler: unit 7 (township) is below unit 3 (county); a "
            "recused clue never moves down a level");
  // For "any child", the lower handler takes only the recusals of children
  // at or below its level.
  policy = Policy::parse("[[cross_jurisdiction]]\nparent = 2\nhandler = 7", problem);
  ASSERT_TRUE(policy) << problem;
  ASSERT_TRUE(policy->check_against(tree, problem)) << problem;
  EXPECT_EQ(policy->designated_handler(tree, 3), 0u);
}

TEST(PolicyRefusal, TreeWithALevelThePolicyDoesNotKnowIsNamed) {
  std::string problem;
  const auto levels = Levels::make({"province", "city"}).value();
  const auto tree = Tree::make({{.id = 1, .parent_id = 0, .level = "province", .receiving = true},
                                {.id = 2, .parent_id = 1, .level = "county", .receiving = true}},
                               levels, &problem);
  ASSERT_FALSE(tree);
  EXPECT_EQ(problem, "unit 2 (county): unknown level \"county\"");
}

}  // namespace
}  // namespace clueline::routing
