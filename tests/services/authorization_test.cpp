// The authorization function, table by table: every action × role ×
// relation between the actor's unit and the resource's.
#include "clueline/services/authorization.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace clueline::services {
namespace {

using storage::Role;

// province 1 > city 2 > county 3 > { township 4 > village 6, township 5 }
//                     > county 7 (another branch)
routing::Tree jurisdiction() {
  auto tree = routing::Tree::make({{1, 0, "province", true, "Province"},
                                   {2, 1, "city", true, "City"},
                                   {3, 2, "county", true, "County"},
                                   {4, 3, "township", true, "Township"},
                                   {5, 3, "township", true, "Sibling township"},
                                   {6, 4, "village", false, "Village"},
                                   {7, 2, "county", true, "Other county"}},
                                  routing::Levels{});
  EXPECT_TRUE(tree.has_value());
  return std::move(tree).value();
}

// The actor works for township 4; the resource is at one of these.
enum class Relation { kOwn, kParent, kChild, kSibling, kOtherBranch, kUnknown, kDeployment };
std::uint32_t unit_of(Relation relation) {
  switch (relation) {
    case Relation::kOwn:
      return 4;
    case Relation::kParent:
      return 3;
    case Relation::kChild:
      return 6;
    case Relation::kSibling:
      return 5;
    case Relation::kOtherBranch:
      return 7;
    case Relation::kUnknown:
      return 99;
    case Relation::kDeployment:
      return 0;
  }
  return 0;
}
const char* name_of(Relation relation) {
  switch (relation) {
    case Relation::kOwn:
      return "own";
    case Relation::kParent:
      return "parent";
    case Relation::kChild:
      return "child";
    case Relation::kSibling:
      return "sibling";
    case Relation::kOtherBranch:
      return "other_branch";
    case Relation::kUnknown:
      return "unknown";
    case Relation::kDeployment:
      return "deployment";
  }
  return "?";
}

constexpr Relation kRelations[] = {Relation::kOwn,       Relation::kParent,      Relation::kChild,
                                   Relation::kSibling,   Relation::kOtherBranch, Relation::kUnknown,
                                   Relation::kDeployment};
constexpr Role kRoles[] = {Role::kHandler, Role::kUnitAdmin, Role::kAuditor, Role::kAdmin};

struct Expectation {
  Action action;
  Role account_role;  // of the account concerned (account actions)
  // The verdict for each role, given the relation.
  Verdict (*expected)(Role actor_role, Relation relation);
};

constexpr auto A = Verdict::kAllow;
constexpr auto F = Verdict::kForbidden;
constexpr auto H = Verdict::kHidden;

Verdict everyone(Role, Relation) { return A; }
Verdict admin_only(Role role, Relation) { return role == Role::kAdmin ? A : F; }
Verdict account_management(Role role, Relation relation) {
  if (role == Role::kAdmin)
    return relation == Relation::kUnknown ? F : (relation == Relation::kDeployment ? F : A);
  if (role == Role::kUnitAdmin && relation == Relation::kOwn) return A;
  return F;
}
Verdict watchers_are_not_managed_by_unit_admins(Role role, Relation relation) {
  if (role == Role::kAdmin)
    return relation == Relation::kUnknown ? F : (relation == Relation::kDeployment ? F : A);
  return F;
}
Verdict key_grant(Role role, Relation relation) {
  return (role == Role::kHandler || role == Role::kUnitAdmin) && relation == Relation::kOwn ? A : F;
}
Verdict no_key_grant(Role, Relation) { return F; }
Verdict audit_reading(Role role, Relation relation) {
  return role == Role::kAuditor && (relation == Relation::kOwn || relation == Relation::kChild) ? A
                                                                                                : F;
}
Verdict clue_work(Role role, Relation relation) {
  return (role == Role::kHandler || role == Role::kUnitAdmin) && relation == Relation::kOwn ? A : H;
}

Verdict stats_reading(Role role, Relation relation) {
  return role != Role::kAdmin && (relation == Relation::kOwn || relation == Relation::kChild) ? A
                                                                                              : F;
}

const Expectation kTable[] = {
    {Action::kViewOwnAccount, Role::kHandler, everyone},
    {Action::kViewDeployment, Role::kHandler, admin_only},
    {Action::kReadDirectory, Role::kHandler, everyone},
    {Action::kManageUnits, Role::kHandler, admin_only},
    {Action::kManageSites, Role::kHandler, admin_only},
    {Action::kInviteAccount, Role::kHandler, account_management},
    {Action::kInviteAccount, Role::kUnitAdmin, account_management},
    {Action::kInviteAccount, Role::kAuditor, watchers_are_not_managed_by_unit_admins},
    {Action::kInviteAccount, Role::kAdmin, watchers_are_not_managed_by_unit_admins},
    {Action::kManageAccount, Role::kHandler, account_management},
    {Action::kManageAccount, Role::kUnitAdmin, account_management},
    {Action::kManageAccount, Role::kAuditor, watchers_are_not_managed_by_unit_admins},
    {Action::kManageAccount, Role::kAdmin, watchers_are_not_managed_by_unit_admins},
    {Action::kGrantUnitKey, Role::kHandler, key_grant},
    {Action::kGrantUnitKey, Role::kUnitAdmin, key_grant},
    {Action::kGrantUnitKey, Role::kAuditor, no_key_grant},
    {Action::kGrantUnitKey, Role::kAdmin, no_key_grant},
    {Action::kReadAudit, Role::kHandler, audit_reading},
    {Action::kWorkClues, Role::kHandler, clue_work},
    {Action::kReadStats, Role::kHandler, stats_reading},
};

TEST(Authorize, EveryActionRoleAndRelationGetsTheTablesVerdict) {
  const routing::Tree tree = jurisdiction();
  int cases = 0;
  for (const Expectation& row : kTable) {
    for (const Role role : kRoles) {
      for (const Relation relation : kRelations) {
        const Actor actor{.account_id = 1, .unit_id = 4, .role = role};
        const Resource resource{.unit_id = unit_of(relation), .account_role = row.account_role};
        EXPECT_EQ(authorize(actor, row.action, resource, tree), row.expected(role, relation))
            << action_name(row.action) << " by " << storage::role_name(role) << " on "
            << name_of(relation) << " unit, account role " << storage::role_name(row.account_role);
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, 20 * 4 * 7);
}

TEST(Authorize, AnActorWhoseUnitIsNotInTheTreeGetsNothingUnitBound) {
  const routing::Tree tree = jurisdiction();
  const Actor orphan{.account_id = 1, .unit_id = 99, .role = Role::kUnitAdmin};
  EXPECT_EQ(authorize(orphan, Action::kWorkClues, {.unit_id = 99}, tree), Verdict::kHidden);
  EXPECT_EQ(authorize(orphan, Action::kManageAccount, {.unit_id = 99}, tree), Verdict::kForbidden);
  EXPECT_EQ(authorize(orphan, Action::kViewOwnAccount, {}, tree), Verdict::kAllow);
}

TEST(Authorize, SubtreesIncludeTheirRootAndEveryUnitBelow) {
  const routing::Tree tree = jurisdiction();
  EXPECT_TRUE(in_subtree(tree, 3, 3));
  EXPECT_TRUE(in_subtree(tree, 3, 6));
  EXPECT_TRUE(in_subtree(tree, 1, 7));
  EXPECT_FALSE(in_subtree(tree, 4, 5));
  EXPECT_FALSE(in_subtree(tree, 6, 4));
  EXPECT_FALSE(in_subtree(tree, 3, 99));
  // An auditor at the city sees the audit of every county below it.
  const Actor city_auditor{.account_id = 2, .unit_id = 2, .role = Role::kAuditor};
  EXPECT_EQ(authorize(city_auditor, Action::kReadAudit, {.unit_id = 7}, tree), Verdict::kAllow);
  EXPECT_EQ(authorize(city_auditor, Action::kReadAudit, {.unit_id = 1}, tree), Verdict::kForbidden);
}

}  // namespace
}  // namespace clueline::services
