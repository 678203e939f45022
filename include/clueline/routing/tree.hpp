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
};

// One routing decision and the rules that produced it, in the order they
// fired, as sentences fit for a supervisor's screen.
struct Decision {
  std::uint32_t unit_id = 0;
  std::vector<std::string> explanation;
};

class Tree {
 public:
  // invalid_argument (with no partial tree) if an id is 0 or repeats, a
  // parent does not exist, the parent links form a cycle, a level is not in
  // `levels`, or a unit's level is not strictly below its parent's.
  static result<Tree> make(std::vector<UnitNode> units, Levels levels);

  const Levels& levels() const noexcept { return levels_; }
  // nullptr if `id` is not in the tree.
  const UnitNode* find(std::uint32_t id) const noexcept;

  // The units above `id`, nearest first (empty for a root or unknown id).
  std::vector<const UnitNode*> ancestors(std::uint32_t id) const;

 private:
  Tree(std::vector<UnitNode> units, Levels levels);

  std::vector<UnitNode> units_;
  std::unordered_map<std::uint32_t, std::size_t> index_;
  Levels levels_;
};

// The interim rule until the full policy lands: the nearest receiving unit
// strictly above the site's locality `site_unit_id`. `accused_level` must be
// empty or a configured level (invalid_argument otherwise); it is recorded
// in the explanation but does not change the result yet. not_found if the
// locality is unknown or no unit above it can receive.
result<Decision> route_to_nearest_receiving(const Tree& tree, std::uint32_t site_unit_id,
                                            std::string_view accused_level);

}  // namespace clueline::routing
