#include "clueline/routing/tree.hpp"

#include <unordered_set>
#include <utility>

namespace clueline::routing {

Tree::Tree(std::vector<UnitNode> units, Levels levels)
    : units_(std::move(units)), levels_(std::move(levels)) {
  for (std::size_t i = 0; i < units_.size(); ++i) index_.emplace(units_[i].id, i);
}

result<Tree> Tree::make(std::vector<UnitNode> units, Levels levels) {
  Tree tree(std::move(units), std::move(levels));
  if (tree.index_.size() != tree.units_.size()) return errc::invalid_argument;  // repeated id
  for (const UnitNode& unit : tree.units_) {
    if (unit.id == 0) return errc::invalid_argument;
    const auto rank = tree.levels_.rank(unit.level);
    if (!rank) return errc::invalid_argument;
    if (unit.parent_id == 0) continue;
    const UnitNode* parent = tree.find(unit.parent_id);
    if (parent == nullptr) return errc::invalid_argument;
    // Levels strictly decrease downwards, which also rules out cycles: a
    // cycle would need some unit to sit below itself.
    const auto parent_rank = tree.levels_.rank(parent->level);
    if (!parent_rank || *parent_rank >= *rank) return errc::invalid_argument;
  }
  return tree;
}

const UnitNode* Tree::find(std::uint32_t id) const noexcept {
  const auto found = index_.find(id);
  return found == index_.end() ? nullptr : &units_[found->second];
}

std::vector<const UnitNode*> Tree::ancestors(std::uint32_t id) const {
  std::vector<const UnitNode*> chain;
  const UnitNode* unit = find(id);
  // make() guarantees the chain ends; the bound is a second guard.
  while (unit != nullptr && unit->parent_id != 0 && chain.size() < units_.size()) {
    unit = find(unit->parent_id);
    if (unit != nullptr) chain.push_back(unit);
  }
  return chain;
}

result<Decision> route_to_nearest_receiving(const Tree& tree, std::uint32_t site_unit_id,
                                            std::string_view accused_level) {
  if (!accused_level.empty() && !tree.levels().rank(accused_level)) return errc::invalid_argument;
  if (tree.find(site_unit_id) == nullptr) return errc::not_found;
  Decision decision;
  decision.explanation.push_back(
      accused_level.empty() ? "accused level unknown: nearest receiving unit above the site"
                            : "accused level " + std::string(accused_level) +
                                  ": interim rule, nearest receiving unit above the site");
  for (const UnitNode* unit : tree.ancestors(site_unit_id)) {
    if (unit->receiving) {
      decision.unit_id = unit->id;
      decision.explanation.push_back("unit " + std::to_string(unit->id) + " (" + unit->level +
                                     ") is the nearest receiving unit above the site");
      return decision;
    }
  }
  return errc::not_found;
}

}  // namespace clueline::routing
