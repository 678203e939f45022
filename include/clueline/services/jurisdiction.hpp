// The jurisdiction as the server routes and escalates over it: the stored
// units as a routing tree, checked against the routing policy.
//
// Blocking (reads the database); for start-up and the command-line tools.
#pragma once

#include <string>
#include <vector>

#include "clueline/routing/policy.hpp"
#include "clueline/routing/tree.hpp"
#include "clueline/storage/records.hpp"
#include "clueline/storage/store.hpp"

namespace clueline::services {

// Every stored unit as a routing tree over `policy`'s levels, checked with
// policy.check_against. Throws std::runtime_error naming the problem (the
// units cannot be read, do not fit the levels, or the policy's designations
// do not fit the units); `policy_name` (a file name, or "(built-in)") is
// named in policy problems.
routing::Tree load_unit_tree(const storage::Store& store, const routing::Policy& policy,
                             const std::string& policy_name);
// The same over units already read (storage::list_units), without I/O.
routing::Tree unit_tree(const std::vector<storage::Unit>& units, const routing::Policy& policy,
                        const std::string& policy_name);
// The routing view of stored units, in the same order.
std::vector<routing::UnitNode> unit_nodes(const std::vector<storage::Unit>& units);

}  // namespace clueline::services
