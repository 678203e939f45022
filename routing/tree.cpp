#include "clueline/routing/tree.hpp"

#include <unordered_set>
#include <utility>

namespace clueline::routing {

Tree::Tree(std::vector<UnitNode> units, Levels levels)
    : units_(std::move(units)), levels_(std::move(levels)) {
  for (std::size_t i = 0; i < units_.size(); ++i) index_.emplace(units_[i].id, i);
}

result<Tree> Tree::make(std::vector<UnitNode> units, Levels levels, std::string* problem) {
  const auto refuse = [problem](std::string why) -> result<Tree> {
    if (problem != nullptr) *problem = std::move(why);
    return errc::invalid_argument;
  };
  Tree tree(std::move(units), std::move(levels));
  if (tree.index_.size() != tree.units_.size()) {
    std::unordered_set<std::uint32_t> seen;
    for (const UnitNode& unit : tree.units_) {
      if (!seen.insert(unit.id).second) {
        return refuse("unit id " + std::to_string(unit.id) + " appears twice");
      }
    }
  }
  for (const UnitNode& unit : tree.units_) {
    if (unit.id == 0) return refuse("unit id 0 is not an id");
    if (!tree.levels_.rank(unit.level)) {
      return refuse(tree.describe(unit.id) + ": unknown level \"" + unit.level + "\"");
    }
    if (unit.parent_id != 0 && tree.find(unit.parent_id) == nullptr) {
      return refuse(tree.describe(unit.id) + ": parent unit " + std::to_string(unit.parent_id) +
                    " does not exist");
    }
  }
  // Cycles first, by walking each chain, so that the message names the cycle
  // rather than the level order it also breaks.
  for (const UnitNode& unit : tree.units_) {
    const UnitNode* walker = &unit;
    for (std::size_t steps = 0; walker->parent_id != 0; ++steps) {
      walker = tree.find(walker->parent_id);
      if (walker->id == unit.id || steps > tree.units_.size()) {
        return refuse(tree.describe(unit.id) + ": its parent links form a cycle");
      }
    }
  }
  for (const UnitNode& unit : tree.units_) {
    if (unit.parent_id == 0) continue;
    const UnitNode* parent = tree.find(unit.parent_id);
    if (*tree.levels_.rank(parent->level) >= *tree.levels_.rank(unit.level)) {
      return refuse(tree.describe(unit.id) + ": level " + unit.level + " is not below its parent " +
                    tree.describe(parent->id) + "'s level " + parent->level);
    }
  }
  return tree;
}

std::string Tree::describe(std::uint32_t id) const {
  const UnitNode* unit = find(id);
  std::string text = "unit " + std::to_string(id);
  if (unit == nullptr) return text;
  return text + " (" + (unit->name.empty() ? unit->level : unit->name + ", " + unit->level) + ")";
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

}  // namespace clueline::routing
