#include "clueline/services/authorization.hpp"

#include <algorithm>

namespace clueline::services {

using storage::Role;

std::string_view action_name(Action action) noexcept {
  switch (action) {
    case Action::kViewOwnAccount:
      return "view_own_account";
    case Action::kViewDeployment:
      return "view_deployment";
    case Action::kReadDirectory:
      return "read_directory";
    case Action::kManageUnits:
      return "manage_units";
    case Action::kManageSites:
      return "manage_sites";
    case Action::kInviteAccount:
      return "invite_account";
    case Action::kManageAccount:
      return "manage_account";
    case Action::kGrantUnitKey:
      return "grant_unit_key";
    case Action::kReadAudit:
      return "read_audit";
    case Action::kWorkClues:
      return "work_clues";
    case Action::kReadStats:
      return "read_stats";
  }
  return "unknown";
}

bool in_subtree(const routing::Tree& tree, std::uint32_t root_id, std::uint32_t unit_id) {
  if (tree.find(unit_id) == nullptr || tree.find(root_id) == nullptr) return false;
  if (unit_id == root_id) return true;
  const auto above = tree.ancestors(unit_id);
  return std::any_of(above.begin(), above.end(),
                     [root_id](const routing::UnitNode* node) { return node->id == root_id; });
}

Verdict authorize(const Actor& actor, Action action, const Resource& resource,
                  const routing::Tree& tree) {
  const bool own_unit = tree.find(actor.unit_id) != nullptr && resource.unit_id == actor.unit_id;
  const bool unit_worker = actor.role == Role::kHandler || actor.role == Role::kUnitAdmin;
  switch (action) {
    case Action::kViewOwnAccount:
    case Action::kReadDirectory:
      return Verdict::kAllow;
    case Action::kViewDeployment:
    case Action::kManageUnits:
    case Action::kManageSites:
      return actor.role == Role::kAdmin ? Verdict::kAllow : Verdict::kForbidden;
    case Action::kInviteAccount:
    case Action::kManageAccount:
      if (actor.role == Role::kAdmin) {
        return tree.find(resource.unit_id) != nullptr ? Verdict::kAllow : Verdict::kForbidden;
      }
      // A unit administrator manages its own unit's handlers and unit
      // administrators, never an auditor or an admin, who watch the unit.
      if (actor.role == Role::kUnitAdmin && own_unit &&
          (resource.account_role == Role::kHandler || resource.account_role == Role::kUnitAdmin)) {
        return Verdict::kAllow;
      }
      return Verdict::kForbidden;
    case Action::kGrantUnitKey:
      // Only someone who holds the unit key can seal it, and only for a
      // newcomer who will work that unit's clues.
      return unit_worker && own_unit &&
                     (resource.account_role == Role::kHandler ||
                      resource.account_role == Role::kUnitAdmin)
                 ? Verdict::kAllow
                 : Verdict::kForbidden;
    case Action::kReadAudit:
      return actor.role == Role::kAuditor && in_subtree(tree, actor.unit_id, resource.unit_id)
                 ? Verdict::kAllow
                 : Verdict::kForbidden;
    case Action::kWorkClues:
      return unit_worker && own_unit ? Verdict::kAllow : Verdict::kHidden;
    case Action::kReadStats:
      return (unit_worker || actor.role == Role::kAuditor) &&
                     in_subtree(tree, actor.unit_id, resource.unit_id)
                 ? Verdict::kAllow
                 : Verdict::kForbidden;
  }
  return Verdict::kForbidden;
}

}  // namespace clueline::services
