#include "clueline/services/jurisdiction.hpp"

#include <stdexcept>
#include <utility>
#include <vector>

namespace clueline::services {

std::vector<routing::UnitNode> unit_nodes(const std::vector<storage::Unit>& units) {
  std::vector<routing::UnitNode> nodes;
  nodes.reserve(units.size());
  for (const storage::Unit& unit : units) {
    nodes.push_back({.id = unit.id,
                     .parent_id = unit.parent_id,
                     .level = unit.level,
                     .receiving = unit.receiving(),
                     .name = unit.name});
  }
  return nodes;
}

routing::Tree unit_tree(const std::vector<storage::Unit>& units, const routing::Policy& policy,
                        const std::string& policy_name) {
  std::string problem;
  auto tree = routing::Tree::make(unit_nodes(units), policy.levels(), &problem);
  if (!tree) {
    throw std::runtime_error("the stored unit tree does not fit the routing policy's levels: " +
                             problem);
  }
  if (!policy.check_against(*tree, problem)) {
    throw std::runtime_error("routing policy " + policy_name + ": " + problem);
  }
  return std::move(*tree);
}

routing::Tree load_unit_tree(const storage::Store& store, const routing::Policy& policy,
                             const std::string& policy_name) {
  auto units = storage::list_units(store);
  if (!units) throw std::runtime_error("cannot read the units: " + units.error().message());
  return unit_tree(*units, policy, policy_name);
}

}  // namespace clueline::services
