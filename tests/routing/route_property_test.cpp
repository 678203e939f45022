// Property tests of route() over random trees, policies and requests.
//
// Every random choice comes from a std::mt19937 seeded with a fixed number
// per tree; failures name the seed, so a failing tree can be replayed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <set>
#include <sstream>
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

constexpr std::uint32_t kFirstSeed = 20'240'601;
constexpr int kTrees = 500;
constexpr int kRequestsPerTree = 50;
constexpr std::size_t kMaxUnits = 60;

bool chance(std::mt19937& rng, double p) { return std::bernoulli_distribution(p)(rng); }

template <typename T>
const T& pick(std::mt19937& rng, const std::vector<T>& values) {
  return values[std::uniform_int_distribution<std::size_t>(0, values.size() - 1)(rng)];
}

// A random tree over the default six levels: random depth and branching,
// levels strictly decreasing down every chain but sometimes skipping one or
// two, random keys. Ids are random and the units shuffled.
std::vector<UnitNode> random_units(std::mt19937& rng, bool root_receiving) {
  const std::size_t bottom = Levels{}.size() - 1;
  const std::size_t root_rank = chance(rng, 0.85)
                                    ? std::uniform_int_distribution<std::size_t>(0, 2)(rng)
                                    : std::uniform_int_distribution<std::size_t>(3, bottom)(rng);
  const int branching = std::uniform_int_distribution<int>(1, 4)(rng);
  const double skip = std::uniform_real_distribution<double>(0.0, 0.4)(rng);
  const double keyed = std::uniform_real_distribution<double>(0.2, 0.95)(rng);
  const std::size_t cap = std::uniform_int_distribution<std::size_t>(1, kMaxUnits)(rng);

  std::vector<std::uint32_t> ids(kMaxUnits * 4);
  std::iota(ids.begin(), ids.end(), 1u);
  std::shuffle(ids.begin(), ids.end(), rng);

  std::vector<UnitNode> units;
  const auto add = [&](std::uint32_t parent, std::size_t rank) {
    const std::uint32_t id = ids[units.size()];
    units.push_back({.id = id,
                     .parent_id = parent,
                     .level = std::string(Levels{}.name(rank)),
                     .receiving = chance(rng, keyed),
                     .name = chance(rng, 0.3) ? "" : "u" + std::to_string(id)});
    return id;
  };
  std::deque<std::pair<std::uint32_t, std::size_t>> open;
  open.emplace_back(add(0, root_rank), root_rank);
  if (root_receiving) units.front().receiving = true;
  while (!open.empty() && units.size() < cap) {
    const auto [parent, rank] = open.front();
    open.pop_front();
    if (rank == bottom) continue;
    const int children = std::uniform_int_distribution<int>(open.empty() ? 1 : 0, branching)(rng);
    for (int k = 0; k < children && units.size() < cap; ++k) {
      std::size_t child = rank + 1;
      while (child < bottom && chance(rng, skip)) ++child;
      open.emplace_back(add(parent, child), child);
    }
  }
  std::shuffle(units.begin(), units.end(), rng);
  return units;
}

// The designations, modelled independently of Policy::designated_handler.
struct Model {
  const Tree& tree;
  const std::vector<Designation>& designations;

  // The unit `recusing`'s clues go to, or 0: a designation naming it wins
  // over one for any child of its parent; an any-child designation never
  // sends a unit's clues to itself.
  std::uint32_t handler(std::uint32_t recusing) const {
    const UnitNode* unit = tree.find(recusing);
    if (unit == nullptr || unit->parent_id == 0) return 0;
    std::uint32_t any = 0;
    for (const Designation& d : designations) {
      if (d.parent != unit->parent_id) continue;
      if (d.recusing == recusing) return d.handler;
      if (d.recusing == 0 && d.handler != recusing) any = d.handler;
    }
    return any;
  }

  bool cyclic() const {
    for (const UnitNode& start : tree.units()) {
      std::uint32_t at = start.id;
      for (std::size_t hops = 0; at != 0; ++hops) {
        if (hops > tree.units().size()) return true;
        at = handler(at);
      }
    }
    return false;
  }
};

std::string designations_toml(const std::vector<Designation>& designations) {
  std::string text;
  for (const Designation& d : designations) {
    text += "\n[[cross_jurisdiction]]\nparent = " + std::to_string(d.parent) + "\n";
    if (d.recusing != 0) text += "recusing = " + std::to_string(d.recusing) + "\n";
    text += "handler = " + std::to_string(d.handler) + "\n";
  }
  return text;
}

std::map<std::uint32_t, std::vector<std::uint32_t>> children_of(const Tree& tree) {
  std::map<std::uint32_t, std::vector<std::uint32_t>> children;
  for (const UnitNode& unit : tree.units()) {
    if (unit.parent_id != 0) children[unit.parent_id].push_back(unit.id);
  }
  for (auto& [parent, ids] : children) std::sort(ids.begin(), ids.end());
  return children;
}

// Designations each of which check_against accepts on its own: the handler
// a receiving child of the parent, the recusing unit another child or 0, no
// (parent, recusing) pair twice. Together they may still form a cycle.
//
// check_against does not compare levels, but the handler is meant to be the
// recusing unit's peer: here it is never at a lower level than a unit whose
// recusals it takes (levels may skip, so siblings can differ in level), so
// that a designated peer is never below the site's locality either.
std::vector<Designation> random_designations(std::mt19937& rng, const Tree& tree) {
  std::vector<Designation> designations;
  for (const auto& [parent, children] : children_of(tree)) {
    if (children.size() < 2 || !chance(rng, 0.8)) continue;
    std::size_t highest = Levels{}.size();
    for (const std::uint32_t id : children) {
      highest = std::min(highest, *Levels{}.rank(tree.find(id)->level));
    }
    std::set<std::uint32_t> used;  // recusing ids already designated under parent
    const int entries = std::uniform_int_distribution<int>(1, 3)(rng);
    for (int k = 0; k < entries; ++k) {
      // 0: any child, so the handler must be at the children's highest level.
      const std::uint32_t recusing = chance(rng, 0.3) ? 0 : pick(rng, children);
      const std::size_t lowest_allowed =
          recusing == 0 ? highest : *Levels{}.rank(tree.find(recusing)->level);
      std::vector<std::uint32_t> handlers;
      for (const std::uint32_t id : children) {
        const UnitNode* child = tree.find(id);
        if (id != recusing && child->receiving && *Levels{}.rank(child->level) <= lowest_allowed) {
          handlers.push_back(id);
        }
      }
      if (handlers.empty() || used.contains(recusing)) continue;
      used.insert(recusing);
      designations.push_back({parent, recusing, pick(rng, handlers)});
    }
  }
  std::shuffle(designations.begin(), designations.end(), rng);
  return designations;
}

// Two receiving siblings of one level designated to take each other's recusals: a cycle
// check_against must refuse. Empty if no parent has two receiving children.
std::vector<Designation> cyclic_designations(std::mt19937& rng, const Tree& tree,
                                             const std::vector<Designation>& valid) {
  std::vector<std::pair<std::uint32_t, std::vector<std::uint32_t>>> candidates;
  for (const auto& [parent, children] : children_of(tree)) {
    // Siblings at the same level: a handler below the recusing unit is
    // refused for that reason before any cycle is looked for.
    std::map<std::string, std::vector<std::uint32_t>> receiving_by_level;
    for (const std::uint32_t id : children) {
      if (tree.find(id)->receiving) receiving_by_level[tree.find(id)->level].push_back(id);
    }
    for (auto& [level, receiving] : receiving_by_level) {
      if (receiving.size() >= 2) candidates.emplace_back(parent, receiving);
    }
  }
  if (candidates.empty()) return {};
  auto [parent, receiving] = pick(rng, candidates);
  std::shuffle(receiving.begin(), receiving.end(), rng);
  const std::uint32_t a = receiving[0];
  const std::uint32_t b = receiving[1];
  std::vector<Designation> designations;
  for (const Designation& d : valid) {
    if (d.parent == parent && (d.recusing == a || d.recusing == b)) continue;
    designations.push_back(d);
  }
  designations.push_back({parent, a, b});
  designations.push_back({parent, b, a});
  std::shuffle(designations.begin(), designations.end(), rng);
  return designations;
}

std::string overrides_toml(std::mt19937& rng) {
  std::string text;
  if (chance(rng, 0.5)) {
    text +=
        "levels = [\"central\", \"province\", \"city\", \"county\", \"township\", "
        "\"village\"]\n";
  }
  if (chance(rng, 0.4)) {
    const std::size_t rank = std::uniform_int_distribution<std::size_t>(0, 5)(rng);
    text += "[overrides.other]\nminimum_level = \"" + std::string(Levels{}.name(rank)) + "\"\n";
  }
  if (chance(rng, 0.3)) text += "[overrides.favoritism]\naccused = \"unit_head\"\n";
  if (chance(rng, 0.3)) {
    text +=
        "[overrides.protective_umbrella]\nminimum_level = \"city\"\n"
        "accused = \"supervision_staff\"\n";
  }
  return text;
}

// The site's chain: its locality, then the ancestors nearest first.
std::vector<const UnitNode*> chain_of(const Tree& tree, std::uint32_t site) {
  std::vector<const UnitNode*> chain{tree.find(site)};
  for (const UnitNode* unit : tree.ancestors(site)) chain.push_back(unit);
  return chain;
}

std::size_t rank_of(const UnitNode* unit) { return *Levels{}.rank(unit->level); }

// Where rules 1 and 2 put the clue, as positions in the chain, computed from
// the contract's wording.
struct Placement {
  std::size_t graded = 0;   // rule 1
  std::size_t minimum = 0;  // rule 2, at or above `graded`
};

Placement place(const std::vector<const UnitNode*>& chain, std::string_view level,
                const CategoryRule& category) {
  Placement placed;
  const std::size_t root = chain.size() - 1;
  if (level.empty()) {
    placed.graded = std::min<std::size_t>(1, root);
  } else {
    const std::size_t accused = *Levels{}.rank(level);
    if (accused == 0 || accused - 1 < rank_of(chain[root])) {
      placed.graded = root;
    } else if (accused - 1 >= rank_of(chain[0])) {
      placed.graded = 0;
    } else {
      while (rank_of(chain[placed.graded]) > accused - 1) ++placed.graded;
    }
  }
  placed.minimum = placed.graded;
  if (!category.minimum_level.empty()) {
    const std::size_t minimum = *Levels{}.rank(category.minimum_level);
    while (placed.minimum < root && rank_of(chain[placed.minimum]) > minimum) ++placed.minimum;
  }
  return placed;
}

// The unit the contract routes to, or 0 for not_found, written from
// route.hpp's rules rather than from route.cpp.
std::uint32_t expected_unit(const Model& model, const std::vector<const UnitNode*>& chain,
                            const Placement& placed, std::string_view level,
                            const CategoryRule& category,
                            const std::vector<std::uint32_t>& recused) {
  const auto is_recused = [&recused](std::uint32_t id) {
    return std::find(recused.begin(), recused.end(), id) != recused.end();
  };
  std::optional<std::size_t> excluded;
  const auto receiving_from = [&](std::size_t from) -> std::optional<std::size_t> {
    for (std::size_t i = from; i < chain.size(); ++i) {
      if (chain[i]->receiving && i != excluded) return i;
    }
    return std::nullopt;
  };
  std::optional<std::size_t> at = placed.minimum;
  if (category.accused == Accused::kSupervisionStaff) {
    if (level.empty()) {
      excluded = placed.graded;  // staff of unknown level: the unit rule 1 chose
    } else {
      for (std::size_t i = 0; i < chain.size(); ++i) {
        if (chain[i]->level == level) excluded = i;
      }
    }
    if (excluded) at = receiving_from(std::max(*at, *excluded + 1));
  } else if (category.accused == Accused::kUnitHead) {
    excluded = receiving_from(*at);  // the head's unit: the one that would receive it
    if (!excluded) return 0;
    at = receiving_from(*excluded + 1);
  }
  if (at) at = receiving_from(*at);
  while (at && is_recused(chain[*at]->id)) {
    const std::uint32_t peer = model.handler(chain[*at]->id);
    if (peer != 0 && model.tree.find(peer)->receiving && !is_recused(peer)) return peer;
    at = receiving_from(*at + 1);
  }
  return at ? chain[*at]->id : 0;
}

std::string describe_request(const RouteRequest& request) {
  std::ostringstream text;
  text << "site " << request.site_unit_id << ", category " << request.category
       << ", accused level \"" << request.accused_level << "\", recused {";
  for (const std::uint32_t id : request.recused) text << " " << id;
  text << " }";
  return text.str();
}

std::string describe_steps(const Decision& decision) {
  std::string text;
  for (const Step& step : decision.steps) {
    text += "\n  " + std::string(rule_name(step.rule)) + " -> " + std::to_string(step.unit_id) +
            ": " + step.text;
  }
  return text;
}

// Checks every property of one routing.
void check_request(const Tree& tree, const Policy& policy, const Model& model,
                   const RouteRequest& request, const std::vector<std::uint32_t>& recused) {
  SCOPED_TRACE(describe_request(request));
  const CategoryRule& category = *policy.category(request.category);
  const std::vector<const UnitNode*> chain = chain_of(tree, request.site_unit_id);
  const Placement placed = place(chain, request.accused_level, category);
  const std::uint32_t expected =
      expected_unit(model, chain, placed, request.accused_level, category, recused);
  const auto is_recused = [&recused](std::uint32_t id) {
    return std::find(recused.begin(), recused.end(), id) != recused.end();
  };

  const auto first = route(tree, policy, request);
  const auto second = route(tree, policy, request);

  // (b) Deterministic: the same input gives the same unit and the same steps.
  ASSERT_EQ(first.has_value(), second.has_value());
  if (first) {
    EXPECT_EQ(first->unit_id, second->unit_id);
    EXPECT_EQ(first->explanation(), second->explanation());
    EXPECT_EQ(first->rules(), second->rules());
  } else {
    EXPECT_EQ(first.error(), second.error());
  }

  if (!first) {
    // Valid input only fails for lack of a unit.
    ASSERT_EQ(first.error(), make_error_code(errc::not_found)) << first.error().message();
    // (c) not_found only if the accused rule excluded a unit, or every
    // receiving unit of the chain from where rules 1 and 2 put the clue up
    // recused itself. (The units below that point are not candidates: a
    // clue never goes down.)
    if (category.accused == Accused::kCadre) {
      for (std::size_t i = placed.minimum; i < chain.size(); ++i) {
        EXPECT_TRUE(!chain[i]->receiving || is_recused(chain[i]->id))
            << "not_found, yet " << tree.describe(chain[i]->id) << " could take it";
      }
    }
    EXPECT_EQ(expected, 0u) << "the contract routes to " << tree.describe(expected);
    return;
  }
  const Decision& decision = *first;
  SCOPED_TRACE("steps:" + describe_steps(decision));

  // (e) Steps are never empty; the last arrives at the decision.
  ASSERT_FALSE(decision.steps.empty());
  EXPECT_EQ(decision.steps.back().unit_id, decision.unit_id);
  const Rule opening = decision.steps.front().rule;
  EXPECT_TRUE(opening == Rule::kGradedJurisdiction || opening == Rule::kSiteLocalityFloor ||
              opening == Rule::kUnknownLevel || opening == Rule::kAboveRootReach)
      << "rule 1 always fixes the unit first, not " << rule_name(opening);
  for (const Step& step : decision.steps) {
    EXPECT_NE(tree.find(step.unit_id), nullptr) << rule_name(step.rule);
    EXPECT_FALSE(step.text.empty()) << rule_name(step.rule);
  }

  // (a) An existing, receiving unit that has not recused itself, not below
  // the site's locality, nor below where rules 1 and 2 put the clue.
  const UnitNode* unit = tree.find(decision.unit_id);
  ASSERT_NE(unit, nullptr) << decision.unit_id;
  EXPECT_TRUE(unit->receiving) << tree.describe(unit->id);
  EXPECT_LE(rank_of(unit), rank_of(chain.front())) << tree.describe(unit->id);
  EXPECT_LE(rank_of(unit), rank_of(chain[placed.minimum])) << tree.describe(unit->id);
  // (d) Never a unit that recused itself.
  EXPECT_FALSE(is_recused(unit->id)) << tree.describe(unit->id);

  // On the chain, or a designated peer (not lower than the recused unit on
  // the chain it replaced), which ends the routing.
  const auto on_chain = std::find(chain.begin(), chain.end(), unit);
  if (on_chain == chain.end()) {
    EXPECT_EQ(decision.steps.back().rule, Rule::kRecusalDesignated);
    EXPECT_TRUE(std::any_of(chain.begin(), chain.end(),
                            [&](const UnitNode* replaced) {
                              return is_recused(replaced->id) &&
                                     model.handler(replaced->id) == unit->id &&
                                     rank_of(unit) <= rank_of(replaced);
                            }))
        << tree.describe(unit->id)
        << " is neither on the chain nor a designated peer of a recused unit on it";
  } else {
    EXPECT_NE(decision.steps.back().rule, Rule::kRecusalDesignated);
  }

  // Rule 3: the accused's own unit never handles the clue.
  if (category.accused == Accused::kSupervisionStaff) {
    const UnitNode* own = request.accused_level.empty() ? chain[placed.graded] : nullptr;
    for (const UnitNode* member : chain) {
      if (!request.accused_level.empty() && member->level == request.accused_level) own = member;
    }
    if (own != nullptr) {
      EXPECT_NE(unit->id, own->id) << "staff of " << tree.describe(own->id);
    }
  }

  // The whole contract, modelled.
  EXPECT_EQ(decision.unit_id, expected) << "routed to " << tree.describe(decision.unit_id)
                                        << ", the contract says " << tree.describe(expected);
}

TEST(RouteProperty, RandomTreesPoliciesAndRequests) {
  int cyclic_refused = 0;
  int accidental_cycles = 0;  // random designations that happened to form one
  int designations_used = 0;
  int successes = 0;
  int not_found = 0;
  std::map<Rule, int> fired;
  for (int t = 0; t < kTrees; ++t) {
    const std::uint32_t seed = kFirstSeed + static_cast<std::uint32_t>(t);
    SCOPED_TRACE("seed " + std::to_string(seed) + " (tree " + std::to_string(t) + ")");
    std::mt19937 rng(seed);

    std::string problem;
    auto made = Tree::make(random_units(rng, /*root_receiving=*/t % 2 == 0), Levels{}, &problem);
    ASSERT_TRUE(made) << problem;
    const Tree tree = std::move(made).value();

    const std::string overrides = overrides_toml(rng);
    std::vector<Designation> designations;
    std::optional<Policy> policy;
    for (int attempt = 0; attempt < 20 && !policy; ++attempt) {
      designations = attempt < 19 ? random_designations(rng, tree) : std::vector<Designation>{};
      const Model model{tree, designations};
      auto parsed = Policy::parse(overrides + designations_toml(designations), problem);
      ASSERT_TRUE(parsed) << problem;
      ASSERT_EQ(
          std::vector<Designation>(parsed->designations().begin(), parsed->designations().end()),
          designations);
      const bool accepted = parsed->check_against(tree, problem).has_value();
      // check_against refuses exactly the designations that form a cycle.
      ASSERT_EQ(accepted, !model.cyclic()) << problem;
      if (!accepted) {
        EXPECT_NE(problem.find("cycle"), std::string::npos) << problem;
        ++accidental_cycles;
        continue;
      }
      for (const UnitNode& unit : tree.units()) {
        ASSERT_EQ(parsed->designated_handler(tree, unit.id), model.handler(unit.id))
            << tree.describe(unit.id);
      }
      policy.emplace(std::move(parsed).value());
    }
    ASSERT_TRUE(policy) << "no acyclic designations in 20 attempts";
    ASSERT_EQ(policy->levels(), Levels{});
    designations_used += static_cast<int>(designations.size());

    // A cycle made on purpose is refused.
    const std::vector<Designation> cyclic = cyclic_designations(rng, tree, designations);
    if (!cyclic.empty()) {
      auto parsed = Policy::parse(designations_toml(cyclic), problem);
      ASSERT_TRUE(parsed) << problem;
      ASSERT_TRUE((Model{tree, cyclic}.cyclic()));
      problem.clear();
      EXPECT_FALSE(parsed->check_against(tree, problem)) << designations_toml(cyclic);
      EXPECT_NE(problem.find("cycle"), std::string::npos) << problem;
      ++cyclic_refused;
    }

    const Model model{tree, designations};
    std::vector<std::string> levels{""};
    for (const std::string& name : tree.levels().names()) levels.push_back(name);
    const std::vector<double> recusal_rates = {0.0, 0.0, 0.05, 0.15, 0.4};
    for (int r = 0; r < kRequestsPerTree; ++r) {
      const UnitNode& site = pick(rng, tree.units());
      const std::vector<CategoryRule> categories(policy->categories().begin(),
                                                 policy->categories().end());
      const std::string category = pick(rng, categories).name;
      const std::string level = pick(rng, levels);
      const double rate = pick(rng, recusal_rates);
      std::vector<std::uint32_t> recused;
      for (const UnitNode& unit : tree.units()) {
        if (chance(rng, rate)) recused.push_back(unit.id);
      }
      if (chance(rng, 0.4)) {  // a unit on the site's chain, where recusal matters
        const std::vector<const UnitNode*> chain = chain_of(tree, site.id);
        const std::uint32_t id = pick(rng, chain)->id;
        if (std::find(recused.begin(), recused.end(), id) == recused.end()) recused.push_back(id);
      }
      if (chance(rng, 0.1)) recused.push_back(100'000);  // not a unit: ignored
      std::shuffle(recused.begin(), recused.end(), rng);

      const RouteRequest request{.site_unit_id = site.id,
                                 .category = category,
                                 .accused_level = level,
                                 .recused = recused};
      check_request(tree, *policy, model, request, recused);
      if (HasFailure()) return;  // one failing request is enough to replay
      const auto decided = route(tree, *policy, request);
      (decided ? successes : not_found) += 1;
      if (decided) {
        for (const Step& step : decided->steps) ++fired[step.rule];
      }
    }
  }
  // The generator reaches the cases the properties are about.
  EXPECT_GT(cyclic_refused, kTrees / 4);
  EXPECT_GT(accidental_cycles, 0);
  EXPECT_GT(designations_used, kTrees);
  EXPECT_GT(successes, kTrees * kRequestsPerTree / 2);
  EXPECT_GT(not_found, kTrees);
  for (const Rule rule :
       {Rule::kGradedJurisdiction, Rule::kSiteLocalityFloor, Rule::kUnknownLevel,
        Rule::kAboveRootReach, Rule::kCategoryMinimum, Rule::kSupervisionStaff, Rule::kUnitHead,
        Rule::kNotReceiving, Rule::kRecusalDesignated, Rule::kRecusalParent}) {
    EXPECT_GT(fired[rule], 50) << rule_name(rule);
  }
}

}  // namespace
}  // namespace clueline::routing
