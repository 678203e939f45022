#include "clueline/routing/tree.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace clueline::routing {
namespace {

std::vector<std::uint32_t> ids_of(const std::vector<const UnitNode*>& nodes) {
  std::vector<std::uint32_t> ids;
  for (const UnitNode* node : nodes) ids.push_back(node->id);
  return ids;
}

void expect_refused(std::vector<UnitNode> units, const std::string& why) {
  const auto tree = Tree::make(std::move(units), Levels{});
  ASSERT_FALSE(tree) << why;
  EXPECT_EQ(tree.error(), errc::invalid_argument) << why;
}

// province 1 (receiving) > city 2 > county 3 (receiving) > township 4 >
// village 5, plus a second township 6 under county 3. Ids are deliberately
// not in parent-first order in the vector, so make() cannot rely on it.
std::vector<UnitNode> five_levels() {
  return {{.id = 5, .parent_id = 4, .level = "village", .receiving = false},
          {.id = 3, .parent_id = 2, .level = "county", .receiving = true},
          {.id = 1, .parent_id = 0, .level = "province", .receiving = true},
          {.id = 4, .parent_id = 3, .level = "township", .receiving = false},
          {.id = 2, .parent_id = 1, .level = "city", .receiving = false},
          {.id = 6, .parent_id = 3, .level = "township", .receiving = true}};
}

Tree must_make(std::vector<UnitNode> units) {
  auto tree = Tree::make(std::move(units), Levels{});
  EXPECT_TRUE(tree) << (tree ? "" : tree.error().message());
  return std::move(tree).value();
}

TEST(Tree, MakeAcceptsAValidTreeAndFindsEveryUnit) {
  const Tree tree = must_make(five_levels());
  for (std::uint32_t id = 1; id <= 6; ++id) {
    ASSERT_NE(tree.find(id), nullptr) << id;
    EXPECT_EQ(tree.find(id)->id, id);
  }
  EXPECT_EQ(tree.find(4)->level, "township");
  EXPECT_EQ(tree.find(0), nullptr);
  EXPECT_EQ(tree.find(7), nullptr);
  EXPECT_EQ(tree.levels(), Levels{});
  EXPECT_TRUE(must_make({}).levels() == Levels{});  // an empty registry is a tree
}

TEST(Tree, MakeRefusesARepeatedId) {
  auto units = five_levels();
  units.push_back({.id = 4, .parent_id = 3, .level = "township"});
  expect_refused(units, "id 4 twice");
  // Even when the repeat is otherwise identical to the original.
  units = five_levels();
  units.push_back(units.front());
  expect_refused(units, "identical duplicate");
}

TEST(Tree, MakeRefusesIdZero) {
  auto units = five_levels();
  units.push_back({.id = 0, .parent_id = 3, .level = "township"});
  expect_refused(units, "id 0");
  expect_refused({{.id = 0, .parent_id = 0, .level = "province"}}, "lone id 0");
}

TEST(Tree, MakeRefusesAMissingParent) {
  auto units = five_levels();
  units.push_back({.id = 7, .parent_id = 99, .level = "village"});
  expect_refused(units, "parent 99");
}

TEST(Tree, MakeRefusesAnUnknownLevel) {
  auto units = five_levels();
  units.push_back({.id = 7, .parent_id = 4, .level = "hamlet"});
  expect_refused(units, "hamlet");
  units.back().level = "Village";  // level names are case-sensitive
  expect_refused(units, "Village");
  units.back().level = "";
  expect_refused(units, "empty level");
  // A custom ladder is honoured: hamlet is fine where it is configured.
  auto custom = Levels::make({"province", "city", "county", "township", "village", "hamlet"});
  ASSERT_TRUE(custom);
  units.back().level = "hamlet";
  EXPECT_TRUE(Tree::make(units, *custom));
}

TEST(Tree, MakeRefusesAChildThatIsNotBelowItsParent) {
  auto same_level = five_levels();
  same_level.push_back({.id = 7, .parent_id = 4, .level = "township"});
  expect_refused(same_level, "township under township");

  auto above = five_levels();
  above.push_back({.id = 7, .parent_id = 4, .level = "city"});
  expect_refused(above, "city under township");

  // Skipping levels is allowed: a village straight under a county.
  auto skipping = five_levels();
  skipping.push_back({.id = 7, .parent_id = 3, .level = "village"});
  EXPECT_TRUE(Tree::make(skipping, Levels{}));

  // A cycle always has a unit at or above its parent's level.
  expect_refused(
      {{.id = 1, .parent_id = 2, .level = "city"}, {.id = 2, .parent_id = 1, .level = "county"}},
      "cycle");
  expect_refused({{.id = 1, .parent_id = 1, .level = "city"}}, "own parent");
}

TEST(Tree, AncestorsAreNearestFirst) {
  const Tree tree = must_make(five_levels());
  EXPECT_EQ(ids_of(tree.ancestors(5)), (std::vector<std::uint32_t>{4, 3, 2, 1}));
  EXPECT_EQ(ids_of(tree.ancestors(6)), (std::vector<std::uint32_t>{3, 2, 1}));
  EXPECT_EQ(ids_of(tree.ancestors(2)), (std::vector<std::uint32_t>{1}));
  EXPECT_TRUE(tree.ancestors(1).empty());
  EXPECT_TRUE(tree.ancestors(42).empty());
}

TEST(Tree, TreeStaysUsableAfterCopyAndMove) {
  Tree original = must_make(five_levels());
  const Tree copy = original;
  const Tree moved = std::move(original);
  for (const Tree* tree : {&copy, &moved}) {
    EXPECT_EQ(ids_of(tree->ancestors(5)), (std::vector<std::uint32_t>{4, 3, 2, 1}));
    EXPECT_EQ(tree->find(3)->level, "county");
  }
}

TEST(Tree, MakeNamesTheUnitAndTheProblem) {
  std::string problem;
  EXPECT_FALSE(
      Tree::make({{.id = 1, .parent_id = 2, .level = "city", .receiving = true},
                  {.id = 2, .parent_id = 1, .level = "county", .receiving = true, .name = "Loop"}},
                 Levels{}, &problem));
  EXPECT_EQ(problem, "unit 1 (city): its parent links form a cycle");
  EXPECT_FALSE(Tree::make({{.id = 1, .parent_id = 0, .level = "county", .receiving = true},
                           {.id = 2, .parent_id = 1, .level = "city", .receiving = true}},
                          Levels{}, &problem));
  EXPECT_EQ(problem,
            "unit 2 (city): level city is not below its parent unit 1 (county)'s level "
            "county");
  EXPECT_FALSE(Tree::make({{.id = 1, .parent_id = 0, .level = "county", .receiving = true},
                           {.id = 1, .parent_id = 0, .level = "city", .receiving = true}},
                          Levels{}, &problem));
  EXPECT_EQ(problem, "unit id 1 appears twice");
  EXPECT_FALSE(Tree::make({{.id = 3, .parent_id = 9, .level = "county", .receiving = true}},
                          Levels{}, &problem));
  EXPECT_EQ(problem, "unit 3 (county): parent unit 9 does not exist");
}

}  // namespace
}  // namespace clueline::routing
