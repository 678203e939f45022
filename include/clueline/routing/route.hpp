// Where a clue goes: graded jurisdiction by cadre-management authority,
// overrides by category, recusal. Pure function over a tree and a policy.
//
// The rules, in the order they apply:
//  1. Graded jurisdiction: a clue about a cadre at level L reported at a site
//     in locality N goes to the unit among N and N's ancestors at the level
//     one above L (village cadre -> township unit). If that level is at or
//     below N's own level, N itself (never below the site's locality). If the
//     chain has no unit at exactly that level, the nearest one above it.
//     Unknown level: the nearest unit strictly above N (N itself if N is the
//     root). Accused at the top
//     level, or above the reach of the tree's root: the root.
//  2. Category minimum level: the unit moves up the chain to that level.
//  3. Accused supervision staff: their own unit (the chain's unit at L; for
//     an unknown level, the unit rule 1 chose) never handles it; it goes to
//     the nearest receiving unit strictly above that unit.
//     Accused head of the receiving unit (the unit chosen so far, or the
//     first unit with keys above it): the clue goes to the nearest receiving
//     unit strictly above that unit, never that unit.
//  4. Receiving: a unit without a current key cannot receive; the clue moves
//     to the nearest receiving unit above it.
//  5. Recusal: a unit that has recused itself from the clue never gets it
//     again. It goes to the unit the recusing unit's parent designated for
//     cross-jurisdiction handling, if that unit is receiving, not recused and
//     not excluded by rule 3; else to the nearest eligible unit above.
//
// Every rule that changes or fixes the unit adds a Step, in order; the
// steps are the explanation stored with the clue and shown to supervisors.
//
// Thread safety: stateless; safe to call concurrently.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "clueline/common/error.hpp"
#include "clueline/routing/policy.hpp"
#include "clueline/routing/tree.hpp"

namespace clueline::routing {

enum class Rule : std::uint8_t {
  kGradedJurisdiction,  // rule 1, known level: the chain's unit one level above L
  kSiteLocalityFloor,   // rule 1: the target level is at or below N: N itself
  kUnknownLevel,        // rule 1, unknown level: nearest unit above N
  kAboveRootReach,      // rule 1: the accused is at or above the root's level
  kCategoryMinimum,     // rule 2
  kSupervisionStaff,    // rule 3
  kUnitHead,            // rule 3
  kNotReceiving,        // rule 4: skipped a unit without a current key
  kRecusalDesignated,   // rule 5: the designated peer took it
  kRecusalParent,       // rule 5: no usable designation; the unit above took it
};
// Stable snake_case name, e.g. "graded_jurisdiction", stored with clues.
std::string_view rule_name(Rule rule) noexcept;

struct Step {
  Rule rule;
  std::uint32_t unit_id = 0;  // the unit this step arrived at
  std::string text;           // one sentence for a supervisor's screen
};

struct Decision {
  std::uint32_t unit_id = 0;  // a receiving unit
  std::vector<Step> steps;    // in the order the rules fired; never empty
  // The steps' sentences, in order.
  std::vector<std::string> explanation() const;
  // The rules of the steps, in order.
  std::vector<Rule> rules() const;
};

struct RouteRequest {
  std::uint32_t site_unit_id = 0;          // the locality of the site
  std::string_view category;               // a category of the policy
  std::string_view accused_level;          // empty = unknown
  std::span<const std::uint32_t> recused;  // units that recused themselves
};

// Fails with:
//   invalid_argument  unknown category or accused level (a configured name
//                     or empty), for input the reporter chose
//   not_found         the site's unit is not in the tree, or no unit is
//                     left that may receive the clue (every candidate is
//                     recused, excluded or without keys)
// `tree` must have been built with policy.levels().
result<Decision> route(const Tree& tree, const Policy& policy, const RouteRequest& request);

}  // namespace clueline::routing
