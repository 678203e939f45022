// Who may do what: one pure function over (actor, action, resource), called
// by every supervisor and administration endpoint before it reads or
// changes anything. No I/O; table-tested in tests/services.
//
// Roles (SECURITY.md "Who can see and do what"):
//   handler     works the clues of its own unit;
//   unit_admin  a handler who also manages the accounts of its own unit;
//   auditor     reads and verifies the audit log of its unit's subtree,
//               never clue content;
// handlers, unit admins and auditors read the clue counts (statistics) of
// their unit's subtree;
//   admin       the deployment registry (units, sites, revocations, account
//               creation anywhere); never clue content.
// Every role reads the directory: the names, levels and certified public
// keys of units and the names of sites, which posters and routes show to
// anyone anyway, and which the console needs to name what it shows.
// Only active accounts act at all; a disabled or locked account's sessions
// are ended and it cannot log in.
#pragma once

#include <cstdint>
#include <string_view>

#include "clueline/routing/tree.hpp"
#include "clueline/storage/accounts.hpp"

namespace clueline::services {

// The account behind a valid session.
struct Actor {
  std::uint32_t account_id = 0;
  std::uint32_t unit_id = 0;
  storage::Role role = storage::Role::kHandler;
};

enum class Action {
  kViewOwnAccount,  // GET /auth/me, logout: every actor
  kViewDeployment,  // deployment info, the unit tree and sites
  kReadDirectory,   // unit and site names, levels, public keys: every actor
  kManageUnits,     // add a unit, add a key, deactivate
  kManageSites,     // add a site, revoke its posters
  kInviteAccount,   // create an invitation for (unit, role)
  kManageAccount,   // disable, unlock, reset the second factor
  kGrantUnitKey,    // seal the unit secret key to a newcomer of the same unit
  kReadAudit,       // list and verify the audit log of a subtree
  kWorkClues,       // queue, open, act on the clues of a unit
  kReadStats,       // counts of the clues of a unit in the actor's subtree
};
std::string_view action_name(Action action) noexcept;

// What the action is about: the unit concerned (0 = the whole deployment),
// and for account actions the role of the account concerned.
struct Resource {
  std::uint32_t unit_id = 0;
  storage::Role account_role = storage::Role::kHandler;
};

enum class Verdict {
  kAllow,
  kForbidden,  // 403: the actor may know the resource exists
  kHidden,     // 404: its existence itself must not leak (clues)
};

// `tree` gives the relation between the actor's unit and the resource's
// (own, ancestor, descendant, sibling, other branch). Unknown units are
// refused like units outside the actor's reach.
Verdict authorize(const Actor& actor, Action action, const Resource& resource,
                  const routing::Tree& tree);

// True if `unit_id` is `root_id` or lies below it in `tree`.
bool in_subtree(const routing::Tree& tree, std::uint32_t root_id, std::uint32_t unit_id);

}  // namespace clueline::services
