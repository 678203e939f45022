// The jurisdiction tree: units, their parents and levels, and which of them
// can receive clues (have a current public key).
//
// Value type, immutable after make(); safe for concurrent reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "clueline/common/error.hpp"
#include "clueline/routing/levels.hpp"

namespace clueline::routing {

struct UnitNode {
  std::uint32_t id = 0;         // >= 1
  std::uint32_t parent_id = 0;  // 0 for a root
  std::string level;            // a name of the tree's Levels
  bool receiving = false;
  std::string name = {};  // for explanations; may be empty
};

class Tree {
 public:
  // invalid_argument (with no partial tree) if an id is 0 or repeats, a
  // parent does not exist, the parent links form a cycle, a level is not in
  // `levels`, or a unit's level is not strictly below its parent's. If
  // `problem` is given, it says which unit and why.
  static result<Tree> make(std::vector<UnitNode> units, Levels levels,
                           std::string* problem = nullptr);

  const Levels& levels() const noexcept { return levels_; }
  // nullptr if `id` is not in the tree.
  const UnitNode* find(std::uint32_t id) const noexcept;

  // The units above `id`, nearest first (empty for a root or unknown id).
  std::vector<const UnitNode*> ancestors(std::uint32_t id) const;
  // Every unit, in the order given to make().
  const std::vector<UnitNode>& units() const noexcept { return units_; }
  // "unit 12 (Dongshan township, township)", or "unit 12 (township)" without
  // a name; "unit 12" if unknown.
  std::string describe(std::uint32_t id) const;

 private:
  Tree(std::vector<UnitNode> units, Levels levels);

  std::vector<UnitNode> units_;
  std::unordered_map<std::uint32_t, std::size_t> index_;
  Levels levels_;
};

}  // namespace clueline::routing
