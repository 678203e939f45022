// Transfer and recusal (clue_moves.hpp) as pure functions over a clue and a
// registry: who may move a clue, where to, and the key entries the new unit
// needs to open it.
#include "clueline/services/clue_moves.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <string>
#include <unordered_map>

#include "clueline/crypto/encoding.hpp"

namespace clueline::services {
namespace {

using storage::Clue;
using storage::ClueStatus;
using storage::Role;
using storage::UnixSeconds;

constexpr UnixSeconds kNow = 1'795'100'000;

// province 1 > city 2 > county 3 > township 4 > village 5; township 6 beside
// 4; county 7 beside 3 with township 8. County 3 designates township 6 for
// its recusing townships.
constexpr std::string_view kPolicy = R"(
[[cross_jurisdiction]]
parent = 3
handler = 6
)";

storage::Unit unit(std::uint32_t id, std::uint32_t parent, std::string level) {
  storage::Unit made{.id = id,
                     .name = "unit " + std::to_string(id),
                     .level = std::move(level),
                     .parent_id = parent,
                     .keys = {},
                     .active = true};
  storage::UnitKey key;
  key.key_id[0] = static_cast<std::byte>(id);
  key.public_key[0] = static_cast<std::byte>(id);
  made.keys.push_back(key);
  return made;
}

storage::KeyEntry entry_for(const storage::Unit& to) {
  storage::KeyEntry entry{.key_id = to.keys.front().key_id, .sealed_key = {}};
  entry.sealed_key[0] = std::byte{0x5e};
  return entry;
}

class ClueMovesTest : public ::testing::Test {
 protected:
  ClueMovesTest() {
    std::string problem;
    policy_ = routing::Policy::parse(kPolicy, problem).value();
    std::unordered_map<std::uint32_t, storage::Unit> units;
    for (const storage::Unit& u :
         {unit(1, 0, "province"), unit(2, 1, "city"), unit(3, 2, "county"), unit(4, 3, "township"),
          unit(5, 4, "village"), unit(6, 3, "township"), unit(7, 2, "county"),
          unit(8, 7, "township")}) {
      units.emplace(u.id, u);
    }
    std::unordered_map<std::uint32_t, storage::Site> sites;
    sites.emplace(1,
                  storage::Site{.id = 1, .name = "board", .unit_id = 5, .kind = "village_board"});
    auto built = build_registry(std::move(units), std::move(sites), std::nullopt, policy_);
    EXPECT_EQ(built.problem, RegistryProblem::kNone) << built.why;
    registry_ = built.snapshot;
    // A village cadre reported at the village: the township handles it;
    // sealed to the township and (oversight) the county and city.
    clue_.id[0] = std::byte{9};
    clue_.site_id = 1;
    clue_.category = "bribery";
    clue_.accused_level = "village";
    clue_.unit_id = 4;
    clue_.status = ClueStatus::kAcknowledged;
    for (const std::uint32_t id : {4u, 3u, 2u}) {
      clue_.recipient_key_ids.push_back(registry_->unit(id)->keys.front().key_id);
    }
  }

  Outcome<ClueMovePlan> move(const Clue& clue, ClueAction action, std::uint32_t actor_unit,
                             std::uint32_t to = 0, std::vector<storage::KeyEntry> entries = {},
                             std::string reason = "the accused is related to our head") {
    ClueActionRequest request;
    request.action = action;
    request.to_unit = to;
    request.reason = std::move(reason);
    request.key_entries = std::move(entries);
    return plan_clue_move(
        clue, request, {.account_id = 50, .unit_id = actor_unit, .role = Role::kHandler},
        {.registry = registry_.get(), .policy = &policy_, .deadlines = &deadlines_}, kNow);
  }
  static errc refusal(const Outcome<ClueMovePlan>& planned) {
    return planned ? errc{} : planned.error().code;
  }
  static const ClueTransition* moved(const Outcome<ClueMovePlan>& planned) {
    return planned ? std::get_if<ClueTransition>(&*planned) : nullptr;
  }

  routing::Policy policy_;
  routing::DeadlinePolicy deadlines_;
  std::shared_ptr<const RegistrySnapshot> registry_;
  Clue clue_;
};

TEST_F(ClueMovesTest, ATransferToAUnitOutsideTheRecipientsAsksForItsKeyThenMovesTheClue) {
  // Township 8 (another county) cannot open the clue yet: seal to it first.
  const auto first = move(clue_, ClueAction::kTransfer, 4, 8);
  ASSERT_TRUE(first) << first.error().message;
  const auto* reseal = std::get_if<ResealForUnit>(&*first);
  ASSERT_NE(reseal, nullptr);
  EXPECT_EQ(reseal->unit.id, 8u);

  const storage::KeyEntry entry = entry_for(*registry_->unit(8));
  const auto second = move(clue_, ClueAction::kTransfer, 4, 8, {entry});
  const ClueTransition* transition = moved(second);
  ASSERT_NE(transition, nullptr) << (second ? "reseal" : second.error().message);
  const Clue& after = transition->after;
  EXPECT_EQ(after.unit_id, 8u);
  EXPECT_EQ(after.status, ClueStatus::kReceived) << "the new unit acknowledges it itself";
  EXPECT_GT(after.acknowledge_by, kNow);
  EXPECT_EQ(after.key_entries, std::vector<storage::KeyEntry>{entry});
  EXPECT_EQ(after.route.back().rule, "transfer");
  EXPECT_NE(after.route.back().text.find("the accused is related"), std::string::npos);
  EXPECT_EQ(after.events.back().action, "transfer");
  EXPECT_EQ(after.events.back().detail, "8");
  EXPECT_EQ(transition->audit.action, "clue.transfer");
  const auto detail = boost::json::parse(transition->audit.detail);
  EXPECT_EQ(detail.at("from_unit_id").as_string(), "4");
  EXPECT_EQ(detail.at("reason").as_string(), "the accused is related to our head");
  // The county, sealed to already, needs no entry.
  const auto upward = move(clue_, ClueAction::kTransfer, 4, 3);
  ASSERT_NE(moved(upward), nullptr);
  EXPECT_EQ(moved(upward)->after.unit_id, 3u);
  EXPECT_TRUE(moved(upward)->after.key_entries.empty());
}

TEST_F(ClueMovesTest, ATransferNeverGoesBelowThePolicyMinimumNorToARecusedUnit) {
  // A township cadre: the county handles it; a township may not.
  Clue county_clue = clue_;
  county_clue.accused_level = "township";
  county_clue.unit_id = 3;
  const auto below =
      move(county_clue, ClueAction::kTransfer, 3, 4, {entry_for(*registry_->unit(4))});
  EXPECT_EQ(refusal(below), errc::forbidden);
  EXPECT_NE(below.error().message.find("county level or above"), std::string::npos)
      << below.error().message;
  // A peer county is at the minimum: allowed.
  EXPECT_NE(moved(move(county_clue, ClueAction::kTransfer, 3, 7, {entry_for(*registry_->unit(7))})),
            nullptr);
  Clue recused = clue_;
  recused.recused_units = {6};
  EXPECT_EQ(refusal(move(recused, ClueAction::kTransfer, 4, 6, {entry_for(*registry_->unit(6))})),
            errc::forbidden);
  EXPECT_EQ(refusal(move(clue_, ClueAction::kTransfer, 4, 4)), errc::invalid_argument);
  EXPECT_EQ(refusal(move(clue_, ClueAction::kTransfer, 4, 99)), errc::invalid_argument);
}

TEST_F(ClueMovesTest, TransferTargetsAreExactlyTheUnitsATransferIsAcceptedTo) {
  const auto targets = [&](const Clue& clue, std::uint32_t actor_unit) {
    return transfer_targets(
        clue, {.account_id = 50, .unit_id = actor_unit, .role = Role::kHandler},
        {.registry = registry_.get(), .policy = &policy_, .deadlines = &deadlines_}, kNow);
  };
  using Ids = std::vector<std::uint32_t>;
  // A village cadre, handled by township 4: any unit at township level or
  // above but itself, in another county too (after a re-seal).
  EXPECT_EQ(targets(clue_, 4), (Ids{1, 2, 3, 6, 7, 8}));
  for (std::uint32_t to = 1; to <= 8; ++to) {
    const bool offered = std::ranges::count(targets(clue_, 4), to) == 1;
    EXPECT_EQ(offered, static_cast<bool>(move(clue_, ClueAction::kTransfer, 4, to))) << to;
  }
  Clue recused = clue_;
  recused.recused_units = {6};
  EXPECT_EQ(targets(recused, 4), (Ids{1, 2, 3, 7, 8}));
  Clue county_clue = clue_;
  county_clue.accused_level = "township";
  county_clue.unit_id = 3;
  EXPECT_EQ(targets(county_clue, 3), (Ids{1, 2, 7}));
  // Only the handling unit moves a clue, and not once it is closed.
  EXPECT_TRUE(targets(clue_, 3).empty());
  Clue closed = clue_;
  closed.status = ClueStatus::kClosed;
  EXPECT_TRUE(targets(closed, 4).empty());
}

TEST_F(ClueMovesTest, OnlyTheHandlingUnitMovesAnOpenClueWithAReason) {
  EXPECT_EQ(refusal(move(clue_, ClueAction::kTransfer, 6, 3)), errc::not_found);
  Clue escalated = clue_;
  escalated.escalations.push_back({.unit_id = 3, .reason = "acknowledge_overdue"});
  EXPECT_EQ(refusal(move(escalated, ClueAction::kRecuse, 3)), errc::forbidden);
  Clue closed = clue_;
  closed.status = ClueStatus::kClosed;
  EXPECT_EQ(refusal(move(closed, ClueAction::kRecuse, 4)), errc::conflict);
  EXPECT_EQ(refusal(move(clue_, ClueAction::kRecuse, 4, 0, {}, "")), errc::invalid_argument);
  EXPECT_EQ(refusal(move(clue_, ClueAction::kRecuse, 4, 0, {}, "line\nbreak")),
            errc::invalid_argument);
  EXPECT_EQ(refusal(move(clue_, ClueAction::kRecuse, 4, 0, {}, std::string(501, 'x'))),
            errc::invalid_argument);
  // An entry for a key that is not the new unit's is refused.
  EXPECT_EQ(refusal(move(clue_, ClueAction::kTransfer, 4, 8, {entry_for(*registry_->unit(7))})),
            errc::invalid_argument);
  EXPECT_EQ(refusal(move(clue_, ClueAction::kAcknowledge, 4)), errc::invalid_argument);
}

TEST_F(ClueMovesTest, ARecusingUnitHandsTheClueToTheDesignatedPeerAndNeverGetsItBack) {
  const auto first = move(clue_, ClueAction::kRecuse, 4);
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_NE(std::get_if<ResealForUnit>(&*first), nullptr) << "township 6 was not sealed to";
  EXPECT_EQ(std::get<ResealForUnit>(*first).unit.id, 6u);
  const auto second = move(clue_, ClueAction::kRecuse, 4, 0, {entry_for(*registry_->unit(6))});
  const ClueTransition* transition = moved(second);
  ASSERT_NE(transition, nullptr) << (second ? "reseal" : second.error().message);
  const Clue& after = transition->after;
  EXPECT_EQ(after.unit_id, 6u);
  EXPECT_EQ(after.recused_units, std::vector<std::uint32_t>{4});
  ASSERT_FALSE(after.route.empty());
  EXPECT_EQ(after.route.back().rule, "recusal_designated");
  EXPECT_EQ(transition->audit.action, "clue.recuse");
  // Township 6 cannot hand it back to 4.
  EXPECT_EQ(refusal(move(after, ClueAction::kTransfer, 6, 4)), errc::forbidden);
  // When 6 recuses too, the county above takes it (sealed to it already).
  const auto again = move(after, ClueAction::kRecuse, 6);
  ASSERT_NE(moved(again), nullptr) << (again ? "reseal" : again.error().message);
  EXPECT_EQ(moved(again)->after.unit_id, 3u);
  EXPECT_EQ(moved(again)->after.recused_units, (std::vector<std::uint32_t>{4, 6}));
}

TEST_F(ClueMovesTest, AUnitThatTookAClueOverAndRecusesSendsItUpNeverBackDown) {
  // Township 4 sat on it; county 3 saw it escalated and took it over.
  Clue taken = clue_;
  taken.unit_id = 3;
  taken.escalations.push_back({.unit_id = 3, .reason = "acknowledge_overdue"});
  const auto recused = move(taken, ClueAction::kRecuse, 3);
  const ClueTransition* transition = moved(recused);
  ASSERT_NE(transition, nullptr) << (recused ? "reseal" : recused.error().message);
  EXPECT_EQ(transition->after.unit_id, 2u) << "the city above, not the township below";
  EXPECT_EQ(transition->after.route.back().rule, "recusal_parent");
  EXPECT_TRUE(transition->after.escalations.empty()) << "the county no longer sees it";
  EXPECT_EQ(clue_access(transition->after, 3), ClueAccess::kNone);
  // Nor can it take the clue over again.
  Clue seen_again = transition->after;
  seen_again.escalations.push_back({.unit_id = 3, .reason = "handle_overdue"});
  EXPECT_EQ(plan_clue_action(seen_again, {.action = ClueAction::kTakeOver},
                             {.account_id = 50, .unit_id = 3, .role = Role::kHandler},
                             registry_->tree, deadlines_, kNow)
                .error()
                .code,
            errc::forbidden);
}

TEST_F(ClueMovesTest, KeyEntriesForKeysThatOpenTheClueAlreadyAreNotStored) {
  const auto upward = move(clue_, ClueAction::kTransfer, 4, 3, {entry_for(*registry_->unit(3))});
  ASSERT_NE(moved(upward), nullptr);
  EXPECT_TRUE(moved(upward)->after.key_entries.empty()) << "the county was a recipient";
}

}  // namespace
}  // namespace clueline::services
