#include "clueline/routing/route.hpp"

#include <algorithm>
#include <optional>

namespace clueline::routing {
namespace {

bool contains(std::span<const std::uint32_t> ids, std::uint32_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// The state of one routing: the chain from the site's locality up, the units
// no rule may choose, and the steps so far.
class Router {
 public:
  Router(const Tree& tree, const Policy& policy, const RouteRequest& request)
      : tree_(tree), policy_(policy), request_(request) {
    chain_.push_back(tree.find(request.site_unit_id));
    for (const UnitNode* unit : tree.ancestors(request.site_unit_id)) chain_.push_back(unit);
  }

  result<Decision> run() {
    const CategoryRule& category = *policy_.category(request_.category);
    const std::size_t graded = graded_jurisdiction();
    const std::size_t at = category_minimum(category, graded);
    auto placed = accused_rule(category, graded, at);
    if (placed) placed = receiving(*placed, false);
    if (placed) placed = recusal(*placed);
    if (!placed) return errc::not_found;
    decision_.unit_id = chain_unit(*placed);
    return std::move(decision_);
  }

 private:
  std::size_t rank_of(const UnitNode* unit) const { return *tree_.levels().rank(unit->level); }

  // A designated peer is off the chain; it is kept in peer_ and stands at
  // the position of the recused unit it replaced.
  std::uint32_t chain_unit(std::size_t at) const {
    return at == peer_position_ && peer_ != 0 ? peer_ : chain_[at]->id;
  }

  void step(Rule rule, std::size_t at, std::string text) {
    decision_.steps.push_back({rule, chain_unit(at), std::move(text)});
  }

  std::string describe(std::size_t at) const { return tree_.describe(chain_unit(at)); }

  bool excluded(const UnitNode* unit) const { return contains(excluded_, unit->id); }
  bool recused(const UnitNode* unit) const { return contains(request_.recused, unit->id); }

  // The first unit at or above `from` that has keys and is not excluded by
  // rule 3 (recused units are found too: rule 5 hands them over).
  std::optional<std::size_t> first_receiving(std::size_t from) const {
    for (std::size_t i = from; i < chain_.size(); ++i) {
      if (chain_[i]->receiving && !excluded(chain_[i])) return i;
    }
    return std::nullopt;
  }

  // Rule 4: from `at` (or the unit above it), up to the first unit that can
  // receive, explaining the units without keys it passed.
  std::optional<std::size_t> receiving(std::size_t at, bool above) {
    const std::size_t from = above ? at + 1 : at;
    const auto found = first_receiving(from);
    if (!found) return std::nullopt;
    std::string skipped;
    for (std::size_t i = from; i < *found; ++i) {
      if (chain_[i]->receiving) continue;  // excluded: rule 3 said so already
      skipped += (skipped.empty() ? "" : ", ") + describe(i);
    }
    if (!skipped.empty()) {
      step(Rule::kNotReceiving, *found,
           "no current key, cannot receive clues: " + skipped + "; the next unit up is " +
               describe(*found));
    }
    return found;
  }

  // Rule 1. Returns a position in chain_.
  std::size_t graded_jurisdiction() {
    const Levels& levels = tree_.levels();
    const std::string level(request_.accused_level);
    if (level.empty()) {
      if (chain_.size() == 1) {
        step(Rule::kUnknownLevel, 0,
             "accused level unknown and the site's locality is the root: " + describe(0));
        return 0;
      }
      step(Rule::kUnknownLevel, 1,
           "accused level unknown: the nearest unit above the site's locality, " + describe(1));
      return 1;
    }
    const std::size_t accused_rank = *levels.rank(level);
    const std::size_t root = chain_.size() - 1;
    if (accused_rank == 0 || accused_rank - 1 < rank_of(chain_[root])) {
      step(Rule::kAboveRootReach, root,
           "a " + level +
               " cadre is above the reach of every unit below the root: " + describe(root));
      return root;
    }
    const std::string_view target_level = levels.name(accused_rank - 1);
    if (accused_rank - 1 >= rank_of(chain_[0])) {
      step(Rule::kSiteLocalityFloor, 0,
           "a " + level + " cadre is handled at " + std::string(target_level) +
               " level, which is not above the site's locality: " + describe(0));
      return 0;
    }
    for (std::size_t i = 0; i < chain_.size(); ++i) {
      if (rank_of(chain_[i]) <= accused_rank - 1) {
        step(Rule::kGradedJurisdiction, i,
             "graded jurisdiction: a " + level + " cadre is handled at " +
                 std::string(target_level) + " level: " + describe(i));
        return i;
      }
    }
    return root;  // unreachable: the root's rank is <= accused_rank - 1 here
  }

  // Rule 2.
  std::size_t category_minimum(const CategoryRule& category, std::size_t at) {
    if (category.minimum_level.empty()) return at;
    const std::size_t minimum = *tree_.levels().rank(category.minimum_level);
    if (rank_of(chain_[at]) <= minimum) return at;
    std::size_t i = at;
    while (i + 1 < chain_.size() && rank_of(chain_[i]) > minimum) ++i;
    step(Rule::kCategoryMinimum, i,
         "category " + category.name + " is handled at " + category.minimum_level +
             " level or higher: " + describe(i));
    return i;
  }

  // Rule 3. `graded` is where rule 1 put the clue, `at` where rule 2 left it.
  // nullopt if nothing is left above the unit it excludes.
  std::optional<std::size_t> accused_rule(const CategoryRule& category, std::size_t graded,
                                          std::size_t at) {
    if (category.accused == Accused::kCadre) return at;
    const bool staff = category.accused == Accused::kSupervisionStaff;
    const Rule rule = staff ? Rule::kSupervisionStaff : Rule::kUnitHead;
    std::optional<std::size_t> own;
    if (staff && !request_.accused_level.empty()) {
      // Their own unit is the chain's unit at the accused level; there is
      // none if that level is below the locality or missing from the chain.
      const std::size_t accused_rank = *tree_.levels().rank(request_.accused_level);
      for (std::size_t i = 0; i < chain_.size(); ++i) {
        if (rank_of(chain_[i]) == accused_rank) own = i;
      }
      if (!own) {
        step(rule, at,
             "the accused are supervision staff at " + std::string(request_.accused_level) +
                 " level, where the site has no unit: " + describe(at) + " stays");
        return at;
      }
    } else if (staff) {
      // Staff of unknown level: their own unit is the one rule 1 chose,
      // whether or not it has a key.
      own = graded;
    } else {
      // The unit that would receive the clue: the accused heads it.
      own = first_receiving(at);
      if (!own) return at;  // rule 4 finds no unit either
    }
    excluded_.push_back(chain_[*own]->id);
    const std::string whose =
        (staff ? "the accused are staff of " : "the accused heads ") + describe(*own);
    const auto above = first_receiving(std::max(at, *own + 1));
    if (!above) {
      step(rule, *own, whose + ", which must not handle it, and no unit above it can");
      return std::nullopt;
    }
    step(rule, *above, whose + ", which must not handle it: " + describe(*above));
    return above;
  }

  // Rule 5: a recused unit hands the clue to its designated peer, else up
  // the chain, for as long as the unit reached has recused itself too.
  std::optional<std::size_t> recusal(std::size_t at) {
    while (recused(chain_[at])) {
      const std::uint32_t recused_id = chain_[at]->id;
      const std::uint32_t designated = policy_.designated_handler(tree_, recused_id);
      const UnitNode* peer = designated != 0 ? tree_.find(designated) : nullptr;
      if (peer != nullptr && peer->receiving && !excluded(peer) && !recused(peer)) {
        peer_ = peer->id;
        peer_position_ = at;
        step(Rule::kRecusalDesignated, at,
             tree_.describe(recused_id) + " recused itself; its parent designated " +
                 tree_.describe(peer->id) + " for cross-jurisdiction handling");
        return at;
      }
      const auto above = first_receiving(at + 1);
      if (!above) return std::nullopt;
      step(Rule::kRecusalParent, *above,
           tree_.describe(recused_id) + " recused itself" +
               (designated == 0
                    ? std::string(" and no unit is designated to take its clues")
                    : "; the designated " + tree_.describe(designated) + " cannot take it") +
               ": the clue goes up to " + describe(*above));
      receiving(at, true);  // explains units without keys passed on the way
      at = *above;
    }
    return at;
  }

  const Tree& tree_;
  const Policy& policy_;
  const RouteRequest& request_;
  std::vector<const UnitNode*> chain_;   // [0] the site's locality, then upwards
  std::vector<std::uint32_t> excluded_;  // rule 3: never these
  std::uint32_t peer_ = 0;
  std::size_t peer_position_ = 0;
  Decision decision_;
};

}  // namespace

std::string_view rule_name(Rule rule) noexcept {
  switch (rule) {
    case Rule::kGradedJurisdiction:
      return "graded_jurisdiction";
    case Rule::kSiteLocalityFloor:
      return "site_locality_floor";
    case Rule::kUnknownLevel:
      return "unknown_level";
    case Rule::kAboveRootReach:
      return "above_root_reach";
    case Rule::kCategoryMinimum:
      return "category_minimum";
    case Rule::kSupervisionStaff:
      return "supervision_staff";
    case Rule::kUnitHead:
      return "unit_head";
    case Rule::kNotReceiving:
      return "not_receiving";
    case Rule::kRecusalDesignated:
      return "recusal_designated";
    case Rule::kRecusalParent:
      return "recusal_parent";
  }
  return "unknown";
}

std::vector<std::string> Decision::explanation() const {
  std::vector<std::string> lines;
  for (const Step& step : steps) lines.push_back(step.text);
  return lines;
}

std::vector<Rule> Decision::rules() const {
  std::vector<Rule> rules;
  for (const Step& step : steps) rules.push_back(step.rule);
  return rules;
}

result<Decision> route(const Tree& tree, const Policy& policy, const RouteRequest& request) {
  if (policy.category(request.category) == nullptr) return errc::invalid_argument;
  if (!request.accused_level.empty() && !tree.levels().rank(request.accused_level)) {
    return errc::invalid_argument;
  }
  if (tree.find(request.site_unit_id) == nullptr) return errc::not_found;
  return Router(tree, policy, request).run();
}

}  // namespace clueline::routing
