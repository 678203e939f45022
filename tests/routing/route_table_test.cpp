// Table-driven tests of route(): every rule of route.hpp, alone and combined,
// over a five-level tree (province > city > county > township > village).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clueline/common/error.hpp"
#include "clueline/routing/levels.hpp"
#include "clueline/routing/policy.hpp"
#include "clueline/routing/route.hpp"
#include "clueline/routing/tree.hpp"

namespace clueline::routing {
namespace {

// Zhejiang province 1
// ├─ Hangzhou city 2
// │  ├─ Chun'an county 10
// │  │  ├─ Qiandaohu township 20 ── Xiashan village 30 (no key), Jiangjia village 31
// │  │  ├─ Fenkou township 21 ───── Tongfu village 32 (no key)
// │  │  ├─ Weiping township 26
// │  │  └─ Linqi village 37 (no key; directly under the county, no township between)
// │  ├─ Tonglu county 11
// │  │  └─ Fenshui township 23 ──── Yaolin village 34 (no key)
// │  └─ Jiande county 12 (no key)
// │     ├─ Datong township 22 (no key) ── Shangwu village 33 (no key)
// │     └─ Meicheng township 24 ───────── Qianhe village 35 (no key)
// └─ Ningbo city 3
//    └─ Xiangshan county 13
//       └─ Shipu township 25 ──── Dongmen village 36 (no key)
//
// Every unit receives clues unless marked "no key". The units are listed
// children first so that nothing can depend on parent-first order.
std::vector<UnitNode> zhejiang_units() {
  return {
      {.id = 30,
       .parent_id = 20,
       .level = "village",
       .receiving = false,
       .name = "Xiashan village"},
      {.id = 31,
       .parent_id = 20,
       .level = "village",
       .receiving = true,
       .name = "Jiangjia village"},
      {.id = 32, .parent_id = 21, .level = "village", .receiving = false, .name = "Tongfu village"},
      {.id = 33,
       .parent_id = 22,
       .level = "village",
       .receiving = false,
       .name = "Shangwu village"},
      {.id = 34, .parent_id = 23, .level = "village", .receiving = false, .name = "Yaolin village"},
      {.id = 35, .parent_id = 24, .level = "village", .receiving = false, .name = "Qianhe village"},
      {.id = 36,
       .parent_id = 25,
       .level = "village",
       .receiving = false,
       .name = "Dongmen village"},
      {.id = 37, .parent_id = 10, .level = "village", .receiving = false, .name = "Linqi village"},
      {.id = 20,
       .parent_id = 10,
       .level = "township",
       .receiving = true,
       .name = "Qiandaohu township"},
      {.id = 21,
       .parent_id = 10,
       .level = "township",
       .receiving = true,
       .name = "Fenkou township"},
      {.id = 26,
       .parent_id = 10,
       .level = "township",
       .receiving = true,
       .name = "Weiping township"},
      {.id = 22,
       .parent_id = 12,
       .level = "township",
       .receiving = false,
       .name = "Datong township"},
      {.id = 23,
       .parent_id = 11,
       .level = "township",
       .receiving = true,
       .name = "Fenshui township"},
      {.id = 24,
       .parent_id = 12,
       .level = "township",
       .receiving = true,
       .name = "Meicheng township"},
      {.id = 25, .parent_id = 13, .level = "township", .receiving = true, .name = "Shipu township"},
      {.id = 10, .parent_id = 2, .level = "county", .receiving = true, .name = "Chun'an county"},
      {.id = 11, .parent_id = 2, .level = "county", .receiving = true, .name = "Tonglu county"},
      {.id = 12, .parent_id = 2, .level = "county", .receiving = false, .name = "Jiande county"},
      {.id = 13, .parent_id = 3, .level = "county", .receiving = true, .name = "Xiangshan county"},
      {.id = 2, .parent_id = 1, .level = "city", .receiving = true, .name = "Hangzhou city"},
      {.id = 3, .parent_id = 1, .level = "city", .receiving = true, .name = "Ningbo city"},
      {.id = 1,
       .parent_id = 0,
       .level = "province",
       .receiving = true,
       .name = "Zhejiang province"},
  };
}

// Only Hangzhou city and what lies below it: a tree whose root is below the
// top level of the ladder.
std::vector<UnitNode> hangzhou_units() {
  const std::vector<UnitNode> all = zhejiang_units();
  const auto in_hangzhou = [&all](const UnitNode& unit) {
    for (std::uint32_t id = unit.id; id != 0;) {
      if (id == 2) return true;
      const auto found =
          std::find_if(all.begin(), all.end(), [id](const UnitNode& u) { return u.id == id; });
      id = found == all.end() ? 0 : found->parent_id;
    }
    return false;
  };
  std::vector<UnitNode> units;
  for (UnitNode unit : all) {
    if (!in_hangzhou(unit)) continue;
    if (unit.id == 2) unit.parent_id = 0;
    units.push_back(std::move(unit));
  }
  return units;
}

constexpr std::string_view kLevelsToml =
    R"(levels = ["province", "city", "county", "township", "village"]
)";

// Chun'an county: Qiandaohu's recusals go to Fenkou; any other township's
// (and Linqi village's) to Weiping. Hangzhou city: any county's to Tonglu.
constexpr std::string_view kHangzhouDesignationsToml = R"(
[[cross_jurisdiction]]
parent = 10
recusing = 20
handler = 21

[[cross_jurisdiction]]
parent = 10
handler = 26

[[cross_jurisdiction]]
parent = 2
handler = 11
)";

// Zhejiang province: Ningbo city's recusals go to Hangzhou city.
constexpr std::string_view kProvinceDesignationToml = R"(
[[cross_jurisdiction]]
parent = 1
recusing = 3
handler = 2
)";

struct Jurisdiction {
  std::optional<Tree> tree;
  std::optional<Policy> policy;
  std::string problem;  // why building it failed
};

Jurisdiction build(std::vector<UnitNode> units, const std::string& toml) {
  Jurisdiction built;
  auto policy = Policy::parse(toml, built.problem);
  if (!policy) return built;
  auto levels = Levels::make({"province", "city", "county", "township", "village"});
  if (!levels) {
    built.problem = "Levels::make refused the five levels";
    return built;
  }
  if (!(*levels == policy->levels())) {
    built.problem = "the policy's levels differ from the five levels";
    return built;
  }
  auto tree = Tree::make(std::move(units), std::move(*levels), &built.problem);
  if (!tree) return built;
  if (!policy->check_against(*tree, built.problem)) return built;
  built.tree.emplace(std::move(*tree));
  built.policy.emplace(std::move(*policy));
  return built;
}

enum class World : std::uint8_t {
  kZhejiang,  // the whole province
  kHangzhou,  // Hangzhou city as the root, with Hangzhou's designations
};

const Jurisdiction& jurisdiction(World world) {
  static const Jurisdiction zhejiang =
      build(zhejiang_units(), std::string(kLevelsToml) + std::string(kHangzhouDesignationsToml) +
                                  std::string(kProvinceDesignationToml));
  static const Jurisdiction hangzhou =
      build(hangzhou_units(), std::string(kLevelsToml) + std::string(kHangzhouDesignationsToml));
  return world == World::kZhejiang ? zhejiang : hangzhou;
}

// A unit id, or the error route() must fail with.
struct Expected {
  Expected(std::uint32_t unit) : unit(unit) {}  // NOLINT(google-explicit-constructor)
  Expected(errc error) : error(error) {}        // NOLINT(google-explicit-constructor)
  std::uint32_t unit = 0;
  std::optional<errc> error;
};

struct Case {
  std::string_view description;
  std::uint32_t site = 0;
  std::string_view category;
  std::string_view accused_level;
  std::vector<std::uint32_t> recused;
  Expected expected;
  std::vector<Rule> rules;       // empty when an error is expected
  std::string_view explanation;  // a substring of the joined steps' sentences
  World world = World::kZhejiang;
};

void PrintTo(const Case& c, std::ostream* out) { *out << c.description; }

constexpr Rule kGraded = Rule::kGradedJurisdiction;
constexpr Rule kFloor = Rule::kSiteLocalityFloor;
constexpr Rule kUnknown = Rule::kUnknownLevel;
constexpr Rule kAboveRoot = Rule::kAboveRootReach;
constexpr Rule kMinimum = Rule::kCategoryMinimum;
constexpr Rule kStaff = Rule::kSupervisionStaff;
constexpr Rule kHead = Rule::kUnitHead;
constexpr Rule kNoKey = Rule::kNotReceiving;
constexpr Rule kPeer = Rule::kRecusalDesignated;
constexpr Rule kUp = Rule::kRecusalParent;

const std::vector<Case>& cases() {
  static const std::vector<Case> table = {
      // --- Rule 1: graded jurisdiction, one case per accused level --------
      {"village cadre at a village goes to its township",
       30,
       "bribery",
       "village",
       {},
       20,
       {kGraded},
       "graded jurisdiction: a village cadre is handled at township level: unit 20 (Qiandaohu "
       "township, township)"},
      {"township cadre at a village goes to its county",
       30,
       "embezzlement",
       "township",
       {},
       10,
       {kGraded},
       "a township cadre is handled at county level: unit 10 (Chun'an county, county)"},
      {"county cadre at a village goes to its city",
       30,
       "abuse_of_power",
       "county",
       {},
       2,
       {kGraded},
       "a county cadre is handled at city level: unit 2 (Hangzhou city, city)"},
      {"city cadre at a village goes to the province",
       30,
       "dereliction_of_duty",
       "city",
       {},
       1,
       {kGraded},
       "a city cadre is handled at province level: unit 1 (Zhejiang province, province)"},
      {"township cadre at a Ningbo village goes to Xiangshan county",
       36,
       "favoritism",
       "township",
       {},
       13,
       {kGraded},
       "handled at county level: unit 13 (Xiangshan county, county)"},
      {"township cadre at a township site goes to its county",
       25,
       "other",
       "township",
       {},
       13,
       {kGraded},
       "a township cadre is handled at county level: unit 13"},
      {"county cadre at a county site goes to its city",
       13,
       "bribery",
       "county",
       {},
       3,
       {kGraded},
       "a county cadre is handled at city level: unit 3 (Ningbo city, city)"},
      {"city cadre at a city site goes to the province",
       3,
       "bribery",
       "city",
       {},
       1,
       {kGraded},
       "a city cadre is handled at province level: unit 1 (Zhejiang province, province)"},
      {"no township on the chain: the nearest unit above the target level",
       37,
       "bribery",
       "village",
       {},
       10,
       {kGraded},
       "a village cadre is handled at township level: unit 10 (Chun'an county, county)"},
      {"a receiving village still sends a village cadre up to its township",
       31,
       "bribery",
       "village",
       {},
       20,
       {kGraded},
       "handled at township level: unit 20 (Qiandaohu township"},

      // --- Rule 1: never below the site's locality ------------------------
      {"village cadre at a township site stays at the township",
       20,
       "bribery",
       "village",
       {},
       20,
       {kFloor},
       "a village cadre is handled at township level, which is not above the site's locality: "
       "unit 20 (Qiandaohu township, township)"},
      {"village cadre at a county site stays at the county",
       10,
       "bribery",
       "village",
       {},
       10,
       {kFloor},
       "which is not above the site's locality: unit 10 (Chun'an county, county)"},
      {"township cadre at a county site stays at the county",
       10,
       "embezzlement",
       "township",
       {},
       10,
       {kFloor},
       "a township cadre is handled at county level, which is not above"},
      {"county cadre at a city site stays at the city",
       2,
       "bribery",
       "county",
       {},
       2,
       {kFloor},
       "a county cadre is handled at city level, which is not above the site's locality: unit 2 "
       "(Hangzhou city, city)"},
      {"city cadre at the province site stays at the province",
       1,
       "bribery",
       "city",
       {},
       1,
       {kFloor},
       "a city cadre is handled at province level, which is not above the site's"},
      {"floor at a keyless township skips it and its keyless county",
       22,
       "bribery",
       "village",
       {},
       2,
       {kFloor, kNoKey},
       "no current key, cannot receive clues: unit 22 (Datong township, township), unit 12 "
       "(Jiande county, county); the next unit up is unit 2 (Hangzhou city, city)"},
      {"floor at a keyless county skips it",
       12,
       "bribery",
       "township",
       {},
       2,
       {kFloor, kNoKey},
       "no current key, cannot receive clues: unit 12 (Jiande county, county); the next unit up "
       "is unit 2 (Hangzhou city, city)"},

      // --- Rule 1: unknown accused level ----------------------------------
      {"unknown level at a village goes to its township",
       30,
       "bribery",
       "",
       {},
       20,
       {kUnknown},
       "accused level unknown: the nearest unit above the site's locality, unit 20 (Qiandaohu "
       "township, township)"},
      {"unknown level at a township goes to its county",
       20,
       "other",
       "",
       {},
       10,
       {kUnknown},
       "the nearest unit above the site's locality, unit 10 (Chun'an county, county)"},
      {"unknown level under two keyless units goes to the city",
       33,
       "bribery",
       "",
       {},
       2,
       {kUnknown, kNoKey},
       "no current key, cannot receive clues: unit 22 (Datong township, township), unit 12 "
       "(Jiande county, county); the next unit up is unit 2 (Hangzhou city, city)"},
      {"unknown level at the root stays at the root",
       1,
       "bribery",
       "",
       {},
       1,
       {kUnknown},
       "accused level unknown and the site's locality is the root: unit 1 (Zhejiang province, "
       "province)"},
      {"unknown level at a city goes to the province",
       3,
       "favoritism",
       "",
       {},
       1,
       {kUnknown},
       "the nearest unit above the site's locality, unit 1 (Zhejiang province, province)"},

      // --- Rule 1: above the root's reach ---------------------------------
      {"province cadre at a village goes to the root",
       30,
       "bribery",
       "province",
       {},
       1,
       {kAboveRoot},
       "a province cadre is above the reach of every unit below the root: unit 1 (Zhejiang "
       "province, province)"},
      {"province cadre at the root site stays at the root",
       1,
       "bribery",
       "province",
       {},
       1,
       {kAboveRoot},
       "a province cadre is above the reach"},
      {"city-rooted tree: province cadre goes to the city root",
       30,
       "bribery",
       "province",
       {},
       2,
       {kAboveRoot},
       "a province cadre is above the reach of every unit below the root: unit 2 (Hangzhou city, "
       "city)",
       World::kHangzhou},
      {"city-rooted tree: city cadre is above the reach of the city root's children",
       30,
       "bribery",
       "city",
       {},
       2,
       {kAboveRoot},
       "a city cadre is above the reach of every unit below the root: unit 2",
       World::kHangzhou},
      {"city-rooted tree: county cadre is graded jurisdiction of the city root",
       30,
       "bribery",
       "county",
       {},
       2,
       {kGraded},
       "a county cadre is handled at city level: unit 2 (Hangzhou",
       World::kHangzhou},
      {"city-rooted tree: city cadre at the root site",
       2,
       "bribery",
       "city",
       {},
       2,
       {kAboveRoot},
       "a city cadre is above the reach",
       World::kHangzhou},

      // --- Rule 2: category minimum (protective_umbrella: county) ---------
      {"umbrella about a village cadre at a village moves up to the county",
       30,
       "protective_umbrella",
       "village",
       {},
       10,
       {kGraded, kMinimum},
       "category protective_umbrella is handled at county level or higher: unit 10 (Chun'an "
       "county, county)"},
      {"umbrella at a township site moves up to the county",
       20,
       "protective_umbrella",
       "village",
       {},
       10,
       {kFloor, kMinimum},
       "category protective_umbrella is handled at county level or higher: unit 10"},
      {"umbrella at a county site is already at the minimum",
       10,
       "protective_umbrella",
       "township",
       {},
       10,
       {kFloor},
       "which is not above the site's locality: unit 10"},
      {"umbrella at a city site is already above the minimum",
       2,
       "protective_umbrella",
       "county",
       {},
       2,
       {kFloor},
       "which is not above the site's locality: unit 2 (Hangzhou city, city)"},
      {"umbrella about a county cadre already goes above the minimum",
       30,
       "protective_umbrella",
       "county",
       {},
       2,
       {kGraded},
       "a county cadre is handled at city level: unit 2"},
      {"umbrella about a city cadre at a city site goes to the province",
       3,
       "protective_umbrella",
       "city",
       {},
       1,
       {kGraded},
       "handled at province level: unit 1"},
      {"umbrella minimum lands on a keyless county and moves on to the city",
       35,
       "protective_umbrella",
       "village",
       {},
       2,
       {kGraded, kMinimum, kNoKey},
       "no current key, cannot receive clues: unit 12 (Jiande county, county); the next unit up "
       "is unit 2 (Hangzhou city, city)"},
      {"umbrella minimum from a keyless township to a keyless county",
       33,
       "protective_umbrella",
       "village",
       {},
       2,
       {kGraded, kMinimum, kNoKey},
       "category protective_umbrella is handled at county level or higher: unit 12 (Jiande "
       "county, county)"},
      {"umbrella with unknown level moves up to the county",
       30,
       "protective_umbrella",
       "",
       {},
       10,
       {kUnknown, kMinimum},
       "handled at county level or higher: unit 10"},
      {"umbrella where graded jurisdiction already reached the county",
       37,
       "protective_umbrella",
       "village",
       {},
       10,
       {kGraded},
       "handled at township level: unit 10 (Chun'an county"},

      // --- Rule 3: accused supervision staff ------------------------------
      {"township staff: their own township never handles it",
       30,
       "supervision_staff",
       "township",
       {},
       10,
       {kGraded, kStaff},
       "the accused are staff of unit 20 (Qiandaohu township, township), which must not handle "
       "it: unit 10 (Chun'an county, county)"},
      {"city staff: their own city never handles it",
       36,
       "supervision_staff",
       "city",
       {},
       1,
       {kGraded, kStaff},
       "the accused are staff of unit 3 (Ningbo city, city), which must not handle it: unit 1 "
       "(Zhejiang province, province)"},
      {"keyless township's staff: the nearest receiving unit above it",
       33,
       "supervision_staff",
       "township",
       {},
       2,
       {kGraded, kStaff},
       "the accused are staff of unit 22 (Datong township, township), which must not handle it: "
       "unit 2 (Hangzhou city, city)"},
      {"staff at a level below the site's locality: the site stays",
       20,
       "supervision_staff",
       "village",
       {},
       20,
       {kFloor, kStaff},
       "the accused are supervision staff at village level, where the site has no unit: unit 20 "
       "(Qiandaohu township, township) stays"},
      {"staff at a level the chain skips: the graded unit stays",
       37,
       "supervision_staff",
       "township",
       {},
       10,
       {kGraded, kStaff},
       "supervision staff at township level, where the site has no unit: unit 10 (Chun'an "
       "county, county) stays"},
      {"province staff: their own unit is the root, nothing above",
       30,
       "supervision_staff",
       "province",
       {},
       errc::not_found,
       {},
       ""},
      {"city-rooted tree: city staff work in the root",
       20,
       "supervision_staff",
       "city",
       {},
       errc::not_found,
       {},
       "",
       World::kHangzhou},
      {"unknown-level staff work in the unit rule 1 chose",
       30,
       "supervision_staff",
       "",
       {},
       10,
       {kUnknown, kStaff},
       "the accused are staff of unit 20 (Qiandaohu township, township), which must not handle "
       "it: unit 10 (Chun'an county, county)"},
      {"unknown-level staff of a keyless township: the nearest receiving unit above it",
       33,
       "supervision_staff",
       "",
       {},
       2,
       {kUnknown, kStaff},
       "the accused are staff of unit 22 (Datong township, township), which must not handle it: "
       "unit 2 (Hangzhou city, city)"},
      {"unknown-level staff at the root site: nothing above",
       1,
       "supervision_staff",
       "",
       {},
       errc::not_found,
       {},
       ""},

      // --- Rule 3: accused head of the receiving unit ---------------------
      {"unit head of the township: the county takes it",
       30,
       "unit_head",
       "village",
       {},
       10,
       {kGraded, kHead},
       "the accused heads unit 20 (Qiandaohu township, township), which must not handle it: unit "
       "10 (Chun'an county, county)"},
      {"unit head of the receiver reached past a keyless county",
       35,
       "unit_head",
       "township",
       {},
       1,
       {kGraded, kHead},
       "the accused heads unit 2 (Hangzhou city, city), which must not handle it: unit 1 "
       "(Zhejiang province, province)"},
      {"unit head of the receiver reached past two keyless units",
       33,
       "unit_head",
       "village",
       {},
       1,
       {kGraded, kHead},
       "the accused heads unit 2 (Hangzhou city, city)"},
      {"unit head with unknown level",
       20,
       "unit_head",
       "",
       {},
       2,
       {kUnknown, kHead},
       "the accused heads unit 10 (Chun'an county, county), which must not handle it: unit 2 "
       "(Hangzhou city, city)"},
      {"unit head at the site floor; the next receiving unit is past a keyless county",
       24,
       "unit_head",
       "village",
       {},
       2,
       {kFloor, kHead},
       "the accused heads unit 24 (Meicheng township, township), which must not handle it: unit "
       "2 (Hangzhou city, city)"},
      {"unit head of the root: nothing above",
       1,
       "unit_head",
       "township",
       {},
       errc::not_found,
       {},
       ""},
      {"unit head of the province reached by graded jurisdiction",
       3,
       "unit_head",
       "city",
       {},
       errc::not_found,
       {},
       ""},

      // --- Rule 4: units without a current key ----------------------------
      {"graded unit without a key: the next unit up",
       35,
       "bribery",
       "township",
       {},
       2,
       {kGraded, kNoKey},
       "no current key, cannot receive clues: unit 12 (Jiande county, county); the next unit up "
       "is unit 2 (Hangzhou city, city)"},
      {"two keyless units in a row are both skipped",
       33,
       "bribery",
       "village",
       {},
       2,
       {kGraded, kNoKey},
       "no current key, cannot receive clues: unit 22 (Datong township, township), unit 12 "
       "(Jiande county, county); the next unit up is unit 2"},
      {"a receiving township under a keyless county receives",
       35,
       "bribery",
       "village",
       {},
       24,
       {kGraded},
       "handled at township level: unit 24 (Meicheng township, township)"},

      // --- Rule 5: recusal --------------------------------------------------
      {"recusal to the peer designated for that township",
       30,
       "bribery",
       "village",
       {20},
       21,
       {kGraded, kPeer},
       "unit 20 (Qiandaohu township, township) recused itself; its parent designated unit 21 "
       "(Fenkou township, township) for cross-jurisdiction handling"},
      {"recusal to the peer designated for any township of the county",
       32,
       "bribery",
       "village",
       {21},
       26,
       {kGraded, kPeer},
       "unit 21 (Fenkou township, township) recused itself; its parent designated unit 26 "
       "(Weiping township, township)"},
      {"recusal to the peer designated for any county of the city",
       20,
       "bribery",
       "township",
       {10},
       11,
       {kGraded, kPeer},
       "unit 10 (Chun'an county, county) recused itself; its parent designated unit 11 (Tonglu "
       "county, county)"},
      {"recusal to the peer designated for a city",
       36,
       "bribery",
       "county",
       {3},
       2,
       {kGraded, kPeer},
       "unit 3 (Ningbo city, city) recused itself; its parent designated unit 2 (Hangzhou city, "
       "city)"},
      {"recusal without a designation goes to the parent",
       23,
       "bribery",
       "village",
       {23},
       11,
       {kFloor, kUp},
       "unit 23 (Fenshui township, township) recused itself and no unit is designated to take its "
       "clues: the clue goes up to unit 11 (Tonglu county, county)"},
      {"the any-child handler recusing itself goes to the parent",
       26,
       "bribery",
       "village",
       {26},
       10,
       {kFloor, kUp},
       "unit 26 (Weiping township, township) recused itself and no unit is designated to take its "
       "clues: the clue goes up to unit 10 (Chun'an county, county)"},
      {"the designated peer recused too: the parent",
       30,
       "bribery",
       "village",
       {20, 21},
       10,
       {kGraded, kUp},
       "unit 20 (Qiandaohu township, township) recused itself; the designated unit 21 (Fenkou "
       "township, township) cannot take it: the clue goes up to unit 10 (Chun'an county, county)"},
      {"township and county both recused: the city",
       34,
       "bribery",
       "village",
       {23, 11},
       2,
       {kGraded, kUp, kUp},
       "unit 11 (Tonglu county, county) recused itself and no unit is designated to take its "
       "clues: the clue goes up to unit 2 (Hangzhou city, city)"},
      {"Ningbo township and county both recused: the city",
       36,
       "bribery",
       "village",
       {25, 13},
       3,
       {kGraded, kUp, kUp},
       "unit 13 (Xiangshan county, county) recused itself and no unit is designated to take its "
       "clues: the clue goes up to unit 3 (Ningbo city, city)"},
      {"recusal chain ending at the county's designated peer",
       30,
       "bribery",
       "village",
       {20, 21, 10},
       11,
       {kGraded, kUp, kPeer},
       "unit 10 (Chun'an county, county) recused itself; its parent designated unit 11 (Tonglu "
       "county, county)"},
      {"recusal passing a keyless county",
       35,
       "bribery",
       "village",
       {24},
       2,
       {kGraded, kUp, kNoKey},
       "unit 24 (Meicheng township, township) recused itself and no unit is designated to take "
       "its clues: the clue goes up to unit 2 (Hangzhou city, city)"},
      {"recused units off the chain change nothing",
       30,
       "bribery",
       "village",
       {21, 3, 999},
       20,
       {kGraded},
       "handled at township level: unit 20"},
      {"umbrella at a recused county goes to the designated county",
       30,
       "protective_umbrella",
       "village",
       {10},
       11,
       {kGraded, kMinimum, kPeer},
       "unit 10 (Chun'an county, county) recused itself; its parent designated unit 11 (Tonglu "
       "county, county)"},
      {"umbrella at a recused county without a designation goes to the city",
       25,
       "protective_umbrella",
       "village",
       {13},
       3,
       {kFloor, kMinimum, kUp},
       "unit 13 (Xiangshan county, county) recused itself and no unit is designated to take its "
       "clues: the clue goes up to unit 3 (Ningbo city, city)"},
      {"umbrella: a recused township below the minimum plays no part",
       30,
       "protective_umbrella",
       "village",
       {20},
       10,
       {kGraded, kMinimum},
       "handled at county level or higher: unit 10"},
      {"unit head: the county taking it recused, to the designated county",
       30,
       "unit_head",
       "village",
       {10},
       11,
       {kGraded, kHead, kPeer},
       "unit 10 (Chun'an county, county) recused itself; its parent designated unit 11 (Tonglu "
       "county, county)"},
      {"unit head: the county taking it recused, to the city",
       36,
       "unit_head",
       "village",
       {13},
       3,
       {kGraded, kHead, kUp},
       "unit 13 (Xiangshan county, county) recused itself and no unit is designated to take its "
       "clues: the clue goes up to unit 3 (Ningbo city, city)"},
      {"unit head of a recused township: excluded before any designation applies",
       30,
       "unit_head",
       "village",
       {20},
       10,
       {kGraded, kHead},
       "the accused heads unit 20 (Qiandaohu"},
      {"unknown-level staff: the county taking it recused, to the designated county",
       30,
       "supervision_staff",
       "",
       {10},
       11,
       {kUnknown, kStaff, kPeer},
       "its parent designated unit 11 (Tonglu county, county)"},
      {"city-rooted tree: recusal to the designated township",
       30,
       "bribery",
       "village",
       {20},
       21,
       {kGraded, kPeer},
       "its parent designated unit 21 (Fenkou township, township)",
       World::kHangzhou},

      // --- Rule 5 at the root: nothing left ---------------------------------
      {"the root recused with nothing above", 3, "bribery", "city", {1}, errc::not_found, {}, ""},
      {"the root site recused with nothing above", 1, "bribery", "", {1}, errc::not_found, {}, ""},
      {"the city and the province recused: lower units do not take it",
       34,
       "bribery",
       "county",
       {2, 1},
       errc::not_found,
       {},
       ""},
      {"city-rooted tree: the root recused",
       20,
       "bribery",
       "county",
       {2},
       errc::not_found,
       {},
       "",
       World::kHangzhou},

      // --- Invalid input ----------------------------------------------------
      {"unknown category", 30, "kidnapping", "village", {}, errc::invalid_argument, {}, ""},
      {"categories are case-sensitive",
       30,
       "Bribery",
       "village",
       {},
       errc::invalid_argument,
       {},
       ""},
      {"a default level this ladder does not have",
       30,
       "bribery",
       "central",
       {},
       errc::invalid_argument,
       {},
       ""},
      {"levels are case-sensitive", 30, "bribery", "Village", {}, errc::invalid_argument, {}, ""},
      {"unknown site unit", 999, "bribery", "village", {}, errc::not_found, {}, ""},
      {"site unit 0", 0, "bribery", "", {}, errc::not_found, {}, ""},
      {"city-rooted tree: the province is not a unit",
       1,
       "bribery",
       "city",
       {},
       errc::not_found,
       {},
       "",
       World::kHangzhou},
  };
  return table;
}

std::vector<std::string> rule_names(const std::vector<Rule>& rules) {
  std::vector<std::string> names;
  for (const Rule rule : rules) names.emplace_back(rule_name(rule));
  return names;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

class RouteTable : public ::testing::TestWithParam<Case> {};

TEST_P(RouteTable, RoutesAsTheContractSays) {
  const Case& c = GetParam();
  SCOPED_TRACE(std::string(c.description));
  const Jurisdiction& world = jurisdiction(c.world);
  ASSERT_TRUE(world.tree && world.policy) << world.problem;
  const Tree& tree = *world.tree;

  const RouteRequest request{.site_unit_id = c.site,
                             .category = c.category,
                             .accused_level = c.accused_level,
                             .recused = c.recused};
  const auto decision = route(tree, *world.policy, request);

  if (c.expected.error) {
    ASSERT_FALSE(decision) << "routed to " << tree.describe(decision->unit_id) << " by "
                           << ::testing::PrintToString(rule_names(decision->rules()));
    EXPECT_EQ(decision.error(), make_error_code(*c.expected.error));
    return;
  }
  ASSERT_TRUE(decision) << "failed with " << decision.error().message();
  EXPECT_EQ(decision->unit_id, c.expected.unit) << "routed to " << tree.describe(decision->unit_id)
                                                << ", expected " << tree.describe(c.expected.unit);
  EXPECT_EQ(rule_names(decision->rules()), rule_names(c.rules));

  ASSERT_FALSE(decision->steps.empty());
  EXPECT_EQ(decision->steps.back().unit_id, decision->unit_id);
  for (const Step& step : decision->steps) {
    EXPECT_NE(tree.find(step.unit_id), nullptr) << "step to unknown unit " << step.unit_id;
    EXPECT_FALSE(step.text.empty()) << rule_name(step.rule);
  }
  const std::vector<std::string> explanation = decision->explanation();
  ASSERT_EQ(explanation.size(), decision->steps.size());
  for (std::size_t i = 0; i < explanation.size(); ++i) {
    EXPECT_EQ(explanation[i], decision->steps[i].text);
  }
  const std::string text = joined(explanation);
  EXPECT_TRUE(text.find(c.explanation) != std::string::npos)
      << "expected \"" << c.explanation << "\" in:\n"
      << text;

  // Whatever the rules did, the result is a receiving unit that did not recuse itself.
  const UnitNode* unit = tree.find(decision->unit_id);
  ASSERT_NE(unit, nullptr);
  EXPECT_TRUE(unit->receiving);
  EXPECT_EQ(std::count(c.recused.begin(), c.recused.end(), unit->id), 0);
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name = (info.index < 10 ? "c0" : "c") + std::to_string(info.index) + "_";
  bool gap = false;
  for (const char ch : info.param.description) {
    if (std::isalnum(static_cast<unsigned char>(ch)) != 0) {
      if (gap && name.back() != '_') name += '_';
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      gap = false;
    } else {
      gap = true;
    }
    if (name.size() >= 72) break;
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(RouteFiveLevels, RouteTable, ::testing::ValuesIn(cases()), case_name);

// The table itself: big enough, and every rule and error is expected somewhere.
TEST(RouteTableCoverage, EveryRuleAndErrorIsExercised) {
  EXPECT_GE(cases().size(), 45u);
  std::set<Rule> seen;
  std::set<errc> errors;
  std::set<std::string_view> descriptions;
  for (const Case& c : cases()) {
    EXPECT_TRUE(descriptions.insert(c.description).second) << "repeated: " << c.description;
    seen.insert(c.rules.begin(), c.rules.end());
    if (c.expected.error) {
      errors.insert(*c.expected.error);
      EXPECT_TRUE(c.rules.empty()) << c.description;
    } else {
      EXPECT_FALSE(c.rules.empty()) << c.description;
      EXPECT_FALSE(c.explanation.empty()) << c.description;
    }
  }
  for (const Rule rule :
       {kGraded, kFloor, kUnknown, kAboveRoot, kMinimum, kStaff, kHead, kNoKey, kPeer, kUp}) {
    EXPECT_TRUE(seen.contains(rule)) << rule_name(rule);
  }
  EXPECT_TRUE(errors.contains(errc::not_found));
  EXPECT_TRUE(errors.contains(errc::invalid_argument));
}

TEST(RouteTableWorlds, BothTreesAndPoliciesAreValid) {
  for (const World world : {World::kZhejiang, World::kHangzhou}) {
    const Jurisdiction& built = jurisdiction(world);
    ASSERT_TRUE(built.tree && built.policy) << built.problem;
    EXPECT_EQ(built.policy->category("protective_umbrella")->minimum_level, "county");
    EXPECT_EQ(built.policy->category("unit_head")->accused, Accused::kUnitHead);
    EXPECT_EQ(built.policy->category("supervision_staff")->accused, Accused::kSupervisionStaff);
  }
  const Jurisdiction& zhejiang = jurisdiction(World::kZhejiang);
  // The designations the table relies on, read back through the policy.
  EXPECT_EQ(zhejiang.policy->designated_handler(*zhejiang.tree, 20), 21u);  // specific wins
  EXPECT_EQ(zhejiang.policy->designated_handler(*zhejiang.tree, 21), 26u);  // any child
  EXPECT_EQ(zhejiang.policy->designated_handler(*zhejiang.tree, 26), 0u);   // not itself
  EXPECT_EQ(zhejiang.policy->designated_handler(*zhejiang.tree, 10), 11u);
  EXPECT_EQ(zhejiang.policy->designated_handler(*zhejiang.tree, 11), 0u);
  EXPECT_EQ(zhejiang.policy->designated_handler(*zhejiang.tree, 3), 2u);
  EXPECT_EQ(zhejiang.policy->designated_handler(*zhejiang.tree, 2), 0u);
  EXPECT_EQ(zhejiang.policy->designated_handler(*zhejiang.tree, 1), 0u);
  EXPECT_EQ(jurisdiction(World::kHangzhou).tree->find(1), nullptr);
}

// route() does not rely on check_against: a designated handler without a key
// (which check_against refuses) is passed over for the unit above.
TEST(RouteTableUncheckedPolicy, DesignatedHandlerWithoutKeyIsPassedOver) {
  const std::string toml = std::string(kLevelsToml) +
                           "[[cross_jurisdiction]]\nparent = 12\nrecusing = 24\nhandler = 22\n";
  std::string problem;
  auto policy = Policy::parse(toml, problem);
  ASSERT_TRUE(policy) << problem;
  auto levels = Levels::make({"province", "city", "county", "township", "village"});
  ASSERT_TRUE(levels);
  auto tree = Tree::make(zhejiang_units(), std::move(*levels), &problem);
  ASSERT_TRUE(tree) << problem;
  EXPECT_FALSE(policy->check_against(*tree, problem));
  EXPECT_NE(problem.find("has no current key"), std::string::npos) << problem;

  const std::vector<std::uint32_t> recused = {24};
  const auto decision = route(
      *tree, *policy,
      {.site_unit_id = 35, .category = "bribery", .accused_level = "village", .recused = recused});
  ASSERT_TRUE(decision) << decision.error().message();
  EXPECT_EQ(decision->unit_id, 2u);
  EXPECT_EQ(rule_names(decision->rules()),
            rule_names({Rule::kGradedJurisdiction, Rule::kRecusalParent, Rule::kNotReceiving}));
  ASSERT_GE(decision->steps.size(), 2u);
  EXPECT_NE(decision->steps[1].text.find("the designated unit 22 (Datong township, township) "
                                         "cannot take it: the clue goes up to unit 2"),
            std::string::npos)
      << decision->steps[1].text;
}

TEST(RouteRuleNames, AreTheStableSnakeCaseNames) {
  const std::vector<std::pair<Rule, std::string_view>> expected = {
      {kGraded, "graded_jurisdiction"},
      {kFloor, "site_locality_floor"},
      {kUnknown, "unknown_level"},
      {kAboveRoot, "above_root_reach"},
      {kMinimum, "category_minimum"},
      {kStaff, "supervision_staff"},
      {kHead, "unit_head"},
      {kNoKey, "not_receiving"},
      {kPeer, "recusal_designated"},
      {kUp, "recusal_parent"},
  };
  for (const auto& [rule, name] : expected) EXPECT_EQ(rule_name(rule), name);
}

}  // namespace
}  // namespace clueline::routing
