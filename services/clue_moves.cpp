#include "clueline/services/clue_moves.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "clueline/crypto/encoding.hpp"
#include "clueline/routing/route.hpp"

namespace clueline::services {
namespace {

using storage::ClueStatus;

bool contains(const std::vector<std::uint32_t>& units, std::uint32_t unit) {
  return std::find(units.begin(), units.end(), unit) != units.end();
}

// Printable text without control characters: it is shown to supervisors
// and written to the audit log as it is.
bool valid_reason(std::string_view reason) {
  return !reason.empty() && reason.size() <= kMaxReasonBytes &&
         std::none_of(reason.begin(), reason.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// What routing decides for the clue from its site, with `recused` left out.
result<routing::Decision> route_again(const storage::Clue& clue, const ClueMoveRules& rules,
                                      const std::vector<std::uint32_t>& recused) {
  const storage::Site* site = rules.registry->site(clue.site_id);
  if (site == nullptr) return errc::not_found;
  return routing::route(rules.registry->tree, *rules.policy,
                        {.site_unit_id = site->unit_id,
                         .category = clue.category,
                         .accused_level = clue.accused_level,
                         .recused = recused});
}

// Rule 5 of routing from the recusing unit's own position: the peer its
// parent designated, if that unit may have the clue, else the nearest unit
// above it that may. (Routing from the site again could hand the clue back
// down to a unit that sat on it, when a unit above had taken it over.)
struct RecusalTarget {
  std::uint32_t unit_id = 0;
  storage::RouteStep step;
};
std::optional<RecusalTarget> recusal_target(const ClueMoveRules& rules, std::uint32_t recusing,
                                            const std::vector<std::uint32_t>& recused) {
  const routing::Tree& tree = rules.registry->tree;
  const auto eligible = [&](std::uint32_t id) {
    const storage::Unit* unit = rules.registry->unit(id);
    return unit != nullptr && unit->active && unit->receiving() && !contains(recused, id);
  };
  const std::uint32_t designated = rules.policy->designated_handler(tree, recusing);
  if (designated != 0 && eligible(designated)) {
    return RecusalTarget{
        designated,
        {.rule = std::string(routing::rule_name(routing::Rule::kRecusalDesignated)),
         .unit_id = designated,
         .text = tree.describe(recusing) + " recused itself; its parent designated " +
                 tree.describe(designated)}};
  }
  for (const routing::UnitNode* above : tree.ancestors(recusing)) {
    if (!eligible(above->id)) continue;
    return RecusalTarget{above->id,
                         {.rule = std::string(routing::rule_name(routing::Rule::kRecusalParent)),
                          .unit_id = above->id,
                          .text = tree.describe(recusing) + " recused itself; " +
                                  tree.describe(above->id) + " above it handles the clue"}};
  }
  return std::nullopt;
}

// True if the key `id` opens the clue as stored: a recipient of the
// envelope, or a key entry added before.
bool opens_already(const storage::Clue& clue, const storage::Bytes16& id) {
  return std::find(clue.recipient_key_ids.begin(), clue.recipient_key_ids.end(), id) !=
             clue.recipient_key_ids.end() ||
         std::any_of(clue.key_entries.begin(), clue.key_entries.end(),
                     [&id](const storage::KeyEntry& entry) { return entry.key_id == id; });
}

// Whether each current key of `unit` opens the clue with the entries it
// would have: nothing missing, the unit to seal to, or a refusal.
Outcome<std::optional<ResealForUnit>> check_keys(const storage::Clue& clue,
                                                 const storage::Unit& unit,
                                                 const std::vector<storage::KeyEntry>& given) {
  std::vector<storage::Bytes16> current;
  for (const storage::UnitKey& key : unit.keys) {
    if (key.current) current.push_back(key.key_id);
  }
  for (std::size_t i = 0; i < given.size(); ++i) {
    const storage::Bytes16& id = given[i].key_id;
    if (std::find(current.begin(), current.end(), id) == current.end()) {
      return refuse(errc::invalid_argument, "key_entries: " + crypto::to_base64url(id) +
                                                " is not a current key of unit " +
                                                std::to_string(unit.id));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (given[j].key_id == id) {
        return refuse(errc::invalid_argument,
                      "key_entries: two entries for " + crypto::to_base64url(id));
      }
    }
  }
  for (const storage::Bytes16& id : current) {
    const auto has_id = [&id](const storage::KeyEntry& entry) { return entry.key_id == id; };
    const bool opens = opens_already(clue, id) || std::any_of(given.begin(), given.end(), has_id);
    if (!opens)
      return std::optional<ResealForUnit>(ResealForUnit{.unit = unit, .deployment_key = {}});
  }
  if (clue.key_entries.size() + given.size() > storage::kMaxKeyEntries) {
    return refuse(errc::conflict, "the clue holds " + std::to_string(storage::kMaxKeyEntries) +
                                      " added key entries, the most it keeps");
  }
  return std::optional<ResealForUnit>();
}

}  // namespace

Outcome<ClueMovePlan> plan_clue_move(const storage::Clue& clue, const ClueActionRequest& request,
                                     const Actor& actor, const ClueMoveRules& rules,
                                     storage::UnixSeconds now) {
  const bool transfer = request.action == ClueAction::kTransfer;
  if (!transfer && request.action != ClueAction::kRecuse) {
    return refuse(errc::invalid_argument, "not a move: transfer or recuse");
  }
  const routing::Tree& tree = rules.registry->tree;
  if (auto refused = may_see_clue(actor, clue, tree)) return *refused;
  const std::string name(clue_action_name(request.action));
  if (clue_access(clue, actor.unit_id) != ClueAccess::kHandling) {
    return refuse(errc::forbidden, "only the handling unit may " + name +
                                       " this clue; a unit it was escalated to may take it over");
  }
  if (clue.status == ClueStatus::kClosed) {
    return refuse(errc::conflict,
                  "the clue is closed: cannot " + name + " (the unit above reopens it first)");
  }
  if (clue.events.size() >= storage::kMaxClueEvents) {
    return refuse(errc::conflict, "the clue's history is full (" +
                                      std::to_string(storage::kMaxClueEvents) + " actions)");
  }
  if (!valid_reason(request.reason)) {
    return refuse(errc::invalid_argument, "reason: 1 to " + std::to_string(kMaxReasonBytes) +
                                              " bytes saying why, without control characters");
  }

  std::vector<std::uint32_t> recused = clue.recused_units;
  if (!transfer) recused.push_back(actor.unit_id);
  std::optional<RecusalTarget> recusal;
  std::uint32_t target = request.to_unit;
  if (!transfer) {
    recusal = recusal_target(rules, actor.unit_id, recused);
    if (!recusal) {
      return refuse(errc::conflict, "no other unit may receive this clue; it stays with your unit");
    }
    target = recusal->unit_id;
  }
  const storage::Unit* unit = rules.registry->unit(target);
  const routing::UnitNode* node = tree.find(target);
  if (unit == nullptr || node == nullptr || !unit->active) {
    return refuse(errc::invalid_argument, "to: no such unit");
  }
  if (target == clue.unit_id) return refuse(errc::invalid_argument, "to: your unit handles it");
  if (contains(clue.recused_units, target)) {
    return refuse(errc::forbidden, "unit " + std::to_string(target) +
                                       " recused itself from this clue and never gets it again");
  }
  if (!unit->receiving()) {
    return refuse(errc::forbidden,
                  "unit " + std::to_string(target) + " has no current key and cannot receive");
  }
  if (transfer) {
    auto decision = route_again(clue, rules, recused);
    if (!decision) {
      return refuse(errc::conflict, "routing finds no unit for this clue now; it stays");
    }
    const routing::UnitNode* minimum = tree.find(decision->unit_id);
    if (minimum == nullptr || !tree.levels().rank(node->level) ||
        !tree.levels().rank(minimum->level)) {
      return refuse(errc::forbidden, "unit " + std::to_string(target) +
                                         " has a level the routing policy does not know");
    }
    if (tree.levels().is_above(minimum->level, node->level)) {
      return refuse(errc::forbidden, "the policy handles this clue at " + minimum->level +
                                         " level or above; unit " + std::to_string(target) +
                                         " is a " + node->level);
    }
  }
  auto keys = check_keys(clue, *unit, request.key_entries);
  if (!keys) return keys.error();
  if (*keys) return ClueMovePlan{std::move(**keys)};

  storage::Clue after = clue;
  const std::uint32_t from = clue.unit_id;
  const routing::ClueDeadlines fresh = routing::deadlines_for(*rules.deadlines, now);
  after.unit_id = target;
  after.status = ClueStatus::kReceived;
  after.acknowledge_by = fresh.acknowledge_by;
  after.handle_by = fresh.handle_by;
  after.recused_units = std::move(recused);
  // A unit that recused itself no longer sees the clue, even where it had
  // escalated there before.
  std::erase_if(after.escalations, [&](const storage::Escalation& escalation) {
    return contains(after.recused_units, escalation.unit_id);
  });
  // Only the entries the clue needs: one for a key that opens it already
  // would only use up storage::kMaxKeyEntries.
  std::size_t added = 0;
  for (const storage::KeyEntry& entry : request.key_entries) {
    if (!opens_already(after, entry.key_id)) {
      after.key_entries.push_back(entry);
      ++added;
    }
  }
  if (transfer) {
    after.route.push_back({.rule = "transfer",
                           .unit_id = target,
                           .text = tree.describe(from) + " transferred the clue to " +
                                   tree.describe(target) + ": " + request.reason});
  } else {
    after.route.push_back(recusal->step);
  }
  return ClueMovePlan{record_transition(clue, std::move(after), actor, request.action,
                                        std::to_string(target), tree, *rules.deadlines, now,
                                        {{"from_unit_id", std::to_string(from)},
                                         {"reason", request.reason},
                                         {"key_entries_added", std::to_string(added)}})};
}

std::vector<std::uint32_t> transfer_targets(const storage::Clue& clue, const Actor& actor,
                                            const ClueMoveRules& rules, storage::UnixSeconds now) {
  std::vector<std::uint32_t> targets;
  ClueActionRequest request;
  request.action = ClueAction::kTransfer;
  request.reason = "transfer";
  for (const auto& [id, unit] : rules.registry->units) {
    request.to_unit = id;
    if (plan_clue_move(clue, request, actor, rules, now)) targets.push_back(id);
  }
  std::sort(targets.begin(), targets.end());
  return targets;
}

}  // namespace clueline::services
