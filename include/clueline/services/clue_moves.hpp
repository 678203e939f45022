// Moving a clue to another unit, as pure functions over its record and the
// registry: a transfer (the handling unit names the unit, which the routing
// policy must allow) and a recusal (the handling unit steps aside for good;
// rule 5 of routing/route.hpp, from the recusing unit's position, decides
// who has the clue: the peer its parent designated, else the nearest
// receiving unit above it that never recused itself). No I/O;
// services/clue_work.hpp stores the result.
//
// Rules, for both:
//  - only the handling unit moves a clue (forbidden otherwise; not_found
//    for a unit that does not see it), and not once it is closed
//    (conflict: it is reopened first);
//  - a reason of 1..kMaxReasonBytes bytes is required (invalid_argument);
//  - the new unit is receiving and active, is not the handling unit and
//    never a unit that recused itself from the clue (forbidden);
//  - a transfer never goes below the policy's minimum for the clue: the
//    level of the unit routing::route would choose for it today from its
//    site, category and accused level, with its recusals (forbidden, naming
//    that level; forbidden too for a level the policy does not know);
//  - the new unit must be able to open the clue: each of its current keys
//    is a recipient of the envelope or has a key entry, stored or given
//    with the request (crypto-spec §9.3). If one has none, the answer is
//    ResealForUnit with that unit and its keys: the client seals the data
//    key to them and asks again. A given entry for a key that is not one of
//    the unit's current keys is invalid_argument; more than
//    storage::kMaxKeyEntries entries in all is a conflict.
//
// After a move the new unit handles the clue as a received one, with fresh
// deadlines from `now`; units the clue had escalated to keep seeing it,
// except those that recused themselves. A transfer adds a "transfer" step
// to the clue's routing explanation, a recusal its rule-5 step. Key entries
// for keys that open the clue already are dropped.
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <variant>

#include "clueline/routing/deadlines.hpp"
#include "clueline/routing/policy.hpp"
#include "clueline/services/clue_lifecycle.hpp"
#include "clueline/services/outcome.hpp"
#include "clueline/services/registry.hpp"
#include "clueline/storage/records.hpp"

namespace clueline::services {

struct ClueMoveRules {
  const RegistrySnapshot* registry = nullptr;  // units (with keys), sites, tree
  const routing::Policy* policy = nullptr;
  const routing::DeadlinePolicy* deadlines = nullptr;
};

// The unit the clue would move to cannot open it yet: seal the data key to
// its current keys and send the entries with the request.
struct ResealForUnit {
  storage::Unit unit;
  // The deployment's signing key, which certified the unit's keys: the
  // client checks them against it (crypto-spec §3.1) before sealing.
  storage::Bytes32 deployment_key{};
};
using ClueMovePlan = std::variant<ClueTransition, ResealForUnit>;

// The move `request` (kTransfer or kRecuse) of `actor` at `now`, or why not
// (the rules above). invalid_argument for any other action.
Outcome<ClueMovePlan> plan_clue_move(const storage::Clue& clue, const ClueActionRequest& request,
                                     const Actor& actor, const ClueMoveRules& rules,
                                     storage::UnixSeconds now);

// The units `actor` may transfer `clue` to at `now`, in id order: each unit
// of the registry whose transfer plan_clue_move would accept (at once or
// after a re-seal). Empty when the actor's unit does not handle the clue or
// it is closed. It asks plan_clue_move itself, so that the list a client
// offers and the rule the server applies cannot drift apart.
std::vector<std::uint32_t> transfer_targets(const storage::Clue& clue, const Actor& actor,
                                            const ClueMoveRules& rules, storage::UnixSeconds now);

}  // namespace clueline::services
