#include "clueline/services/clue_lifecycle.hpp"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <vector>

#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/hash.hpp"
#include "clueline/crypto/sealed_payload.hpp"
#include "clueline/routing/escalation.hpp"

namespace clueline::services {
namespace {

namespace json = boost::json;
using storage::ClueStatus;

constexpr std::array<std::string_view, 9> kActionNames = {
    "acknowledge",    "investigate", "close",    "reopen", "take_over",
    "link_duplicate", "reply",       "transfer", "recuse"};

std::string clue_object(const storage::ClueId& id) { return "clue:" + crypto::to_base64url(id); }

std::string status_text(ClueStatus status) { return std::string(storage::status_name(status)); }

Refusal wrong_state(const storage::Clue& clue, std::string_view action, std::string_view allowed) {
  return refuse(errc::conflict, "the clue is " + status_text(clue.status) + ": cannot " +
                                    std::string(action) + " (" + std::string(allowed) + ")");
}

// When the escalation job must look at `clue` next, given its state now.
// Steps that are already due are left to the job, which writes their audit
// entries: the clue is due at once.
storage::UnixSeconds next_check(const storage::Clue& clue, const routing::Tree& tree,
                                const routing::DeadlinePolicy& policy, storage::UnixSeconds now) {
  std::vector<std::uint32_t> visible;
  for (const storage::Escalation& escalation : clue.escalations) {
    visible.push_back(escalation.unit_id);
  }
  const routing::EscalationPlan plan =
      routing::plan_escalation(tree, policy,
                               {.unit_id = clue.unit_id,
                                .acknowledged = clue.status != ClueStatus::kReceived,
                                .closed = clue.status == ClueStatus::kClosed,
                                .acknowledge_by = clue.acknowledge_by,
                                .handle_by = clue.handle_by,
                                .visible_to = visible},
                               now);
  return plan.steps.empty() ? plan.next_check_at : now;
}

// True if `sealed` is a well-formed payload whose one recipient is the
// clue's reply key. The server cannot open it; the reporter's device checks
// the domain and the clue id it is bound to.
bool sealed_to_reporter(const storage::Clue& clue, std::string_view sealed) {
  const auto payload = crypto::parse_payload(crypto::as_bytes(sealed));
  if (!payload || payload->recipients.size() != 1) return false;
  crypto::BoxPublicKey reply_key{};
  std::copy(clue.reply_public_key.begin(), clue.reply_public_key.end(), reply_key.bytes.begin());
  return payload->recipients.front().key_id == crypto::key_id(reply_key);
}

}  // namespace

std::string_view clue_action_name(ClueAction action) noexcept {
  return kActionNames[static_cast<std::size_t>(action)];
}

std::optional<ClueAction> parse_clue_action(std::string_view name) noexcept {
  const auto found = std::find(kActionNames.begin(), kActionNames.end(), name);
  if (found == kActionNames.end()) return std::nullopt;
  return static_cast<ClueAction>(found - kActionNames.begin());
}

bool valid_outcome(std::string_view outcome) noexcept {
  return std::find(kClueOutcomes.begin(), kClueOutcomes.end(), outcome) != kClueOutcomes.end();
}

ClueAccess clue_access(const storage::Clue& clue, std::uint32_t unit_id) noexcept {
  if (clue.unit_id == unit_id) return ClueAccess::kHandling;
  const bool escalated =
      std::any_of(clue.escalations.begin(), clue.escalations.end(),
                  [unit_id](const storage::Escalation& step) { return step.unit_id == unit_id; });
  return escalated ? ClueAccess::kEscalatedTo : ClueAccess::kNone;
}

bool works_clues(const Actor& actor, const routing::Tree& tree) {
  return authorize(actor, Action::kWorkClues, {.unit_id = actor.unit_id}, tree) == Verdict::kAllow;
}

std::optional<Refusal> may_see_clue(const Actor& actor, const storage::Clue& clue,
                                    const routing::Tree& tree) {
  // The resource is the actor's own unit when the clue is visible there, and
  // the handling unit otherwise, so that the one authorization function
  // decides: a unit that works clues, on a clue it sees.
  const std::uint32_t unit =
      clue_access(clue, actor.unit_id) != ClueAccess::kNone ? actor.unit_id : clue.unit_id;
  if (authorize(actor, Action::kWorkClues, {.unit_id = unit}, tree) != Verdict::kAllow) {
    return refuse(errc::not_found, "no such clue");
  }
  return std::nullopt;
}

Outcome<ClueTransition> plan_clue_action(const storage::Clue& clue,
                                         const ClueActionRequest& request, const Actor& actor,
                                         const routing::Tree& tree,
                                         const routing::DeadlinePolicy& policy,
                                         storage::UnixSeconds now) {
  if (auto refused = may_see_clue(actor, clue, tree)) return *refused;
  const ClueAccess access = clue_access(clue, actor.unit_id);
  const std::string_view name = clue_action_name(request.action);
  if (clue.events.size() >= storage::kMaxClueEvents) {
    return refuse(errc::conflict, "the clue's history is full (" +
                                      std::to_string(storage::kMaxClueEvents) + " actions)");
  }
  storage::Clue after = clue;
  std::string detail;
  std::vector<storage::Mutation> records;
  std::string sealed_digest;
  const bool handling = access == ClueAccess::kHandling;
  const auto handling_only = [&] {
    return refuse(errc::forbidden,
                  "only the handling unit may " + std::string(name) +
                      " this clue; a unit it was escalated to may take it over first");
  };
  switch (request.action) {
    case ClueAction::kAcknowledge:
      if (!handling) return handling_only();
      if (clue.status != ClueStatus::kReceived) {
        return wrong_state(clue, name, "only a received clue is acknowledged");
      }
      after.status = ClueStatus::kAcknowledged;
      break;
    case ClueAction::kInvestigate:
      if (!handling) return handling_only();
      if (clue.status != ClueStatus::kAcknowledged) {
        return wrong_state(clue, name, "acknowledge it first; a closed clue is reopened");
      }
      after.status = ClueStatus::kInvestigating;
      break;
    case ClueAction::kClose:
      if (!handling) return handling_only();
      if (!valid_outcome(request.outcome)) {
        return refuse(errc::invalid_argument,
                      "outcome must be substantiated, partly_substantiated, unsubstantiated, "
                      "referred_elsewhere or duplicate");
      }
      if (clue.status != ClueStatus::kAcknowledged && clue.status != ClueStatus::kInvestigating) {
        return wrong_state(clue, name, "an acknowledged or investigated clue is closed");
      }
      if (request.outcome == "duplicate" && !clue.duplicate_of) {
        return refuse(errc::conflict,
                      "link the clue this one duplicates first (link_duplicate), then close it "
                      "as duplicate");
      }
      after.status = ClueStatus::kClosed;
      after.outcome = request.outcome;
      detail = request.outcome;
      break;
    case ClueAction::kReopen: {
      const routing::UnitNode* handler = tree.find(clue.unit_id);
      if (handler == nullptr || handler->parent_id != actor.unit_id) {
        return refuse(errc::forbidden,
                      "only the unit directly above the handling unit may reopen this clue");
      }
      if (clue.status != ClueStatus::kClosed) {
        return wrong_state(clue, name, "only a closed clue is reopened");
      }
      after.status = ClueStatus::kInvestigating;
      after.outcome.clear();
      after.handle_by = routing::deadlines_for(policy, now).handle_by;
      break;
    }
    case ClueAction::kTakeOver: {
      if (std::find(clue.recused_units.begin(), clue.recused_units.end(), actor.unit_id) !=
          clue.recused_units.end()) {
        return refuse(errc::forbidden, "your unit recused itself from this clue");
      }
      if (access != ClueAccess::kEscalatedTo) {
        return refuse(errc::forbidden,
                      handling ? "your unit already handles this clue"
                               : "only a unit the clue was escalated to may take it over");
      }
      if (clue.status == ClueStatus::kClosed) {
        return wrong_state(clue, name, "a closed clue is reopened by the unit above");
      }
      // The unit taking over has seen the clue: it is acknowledged, and the
      // work starts over with fresh deadlines from now.
      const routing::ClueDeadlines fresh = routing::deadlines_for(policy, now);
      detail = std::to_string(clue.unit_id);  // the unit it was taken from
      after.unit_id = actor.unit_id;
      if (after.status == ClueStatus::kReceived) after.status = ClueStatus::kAcknowledged;
      after.acknowledge_by = fresh.acknowledge_by;
      after.handle_by = fresh.handle_by;
      break;
    }
    case ClueAction::kLinkDuplicate:
      if (!handling) return handling_only();
      if (!request.other) return refuse(errc::invalid_argument, "expected the duplicated clue");
      if (*request.other == clue.id) {
        return refuse(errc::invalid_argument, "a clue cannot duplicate itself");
      }
      if (clue.status == ClueStatus::kClosed) {
        return wrong_state(clue, name, "link before closing; a closed clue is reopened first");
      }
      after.duplicate_of = *request.other;
      detail = crypto::to_base64url(*request.other);
      break;
    case ClueAction::kTransfer:
    case ClueAction::kRecuse:
      // They need the registry and the routing policy: plan_clue_move.
      return refuse(errc::internal, "internal error");
    case ClueAction::kReply:
      if (!handling) return handling_only();
      if (clue.replies >= kMaxReplies) {
        return refuse(errc::conflict, "the clue has " + std::to_string(kMaxReplies) +
                                          " replies, the most it keeps");
      }
      if (!sealed_to_reporter(clue, request.sealed_reply)) {
        return refuse(errc::invalid_argument,
                      "the reply must be a payload sealed to the reporter's reply key alone "
                      "(crypto-spec §4, reply domain)");
      }
      after.replies += 1;
      records.push_back(
          {storage::Family::kClues, storage::reply_key(clue.id, after.replies),
           storage::encode(storage::SealedNote{.sent_at = now, .payload = request.sealed_reply})});
      detail = std::to_string(after.replies);  // the reply's number
      // The log then shows which sealed bytes were sent, should the stored
      // reply ever be changed.
      sealed_digest =
          crypto::to_base64url(crypto::blake2b<32>({crypto::as_bytes(request.sealed_reply)}));
      break;
  }
  std::vector<std::pair<std::string, std::string>> audit_fields;
  if (!sealed_digest.empty()) audit_fields.emplace_back("sealed_blake2b", sealed_digest);
  ClueTransition transition =
      record_transition(clue, std::move(after), actor, request.action, std::move(detail), tree,
                        policy, now, std::move(audit_fields));
  transition.records = std::move(records);
  return transition;
}

ClueTransition record_transition(const storage::Clue& before, storage::Clue after,
                                 const Actor& actor, ClueAction action, std::string detail,
                                 const routing::Tree& tree, const routing::DeadlinePolicy& policy,
                                 storage::UnixSeconds now,
                                 std::vector<std::pair<std::string, std::string>> audit_fields) {
  const std::string_view name = clue_action_name(action);
  after.events.push_back(
      {.at = now, .action = std::string(name), .unit_id = actor.unit_id, .detail = detail});
  after.next_check_at = next_check(after, tree, policy, now);

  json::object audit_detail{{"unit_id", actor.unit_id},
                            {"handling_unit_id", after.unit_id},
                            {"status", status_text(after.status)}};
  if (!detail.empty()) audit_detail["detail"] = detail;
  for (auto& [field, value] : audit_fields) audit_detail[field] = std::move(value);
  ClueTransition transition;
  transition.audit = {.at = now,
                      .actor = "account:" + std::to_string(actor.account_id),
                      .action = "clue." + std::string(name),
                      .object = clue_object(before.id),
                      .detail = json::serialize(audit_detail)};
  transition.after = std::move(after);
  return transition;
}

storage::AuditRecord clue_opened_record(const storage::Clue& clue, const Actor& actor,
                                        storage::UnixSeconds now) {
  return {.at = now,
          .actor = "account:" + std::to_string(actor.account_id),
          .action = "clue.open",
          .object = clue_object(clue.id),
          .detail = json::serialize(
              json::object{{"unit_id", actor.unit_id}, {"handling_unit_id", clue.unit_id}})};
}

}  // namespace clueline::services
