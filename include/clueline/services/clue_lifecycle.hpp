// What supervisors do with a clue, as pure functions over its record: who
// may see it, which actions its state allows, and the record and audit
// entry an action leaves. No I/O; services/clue_work.hpp stores the result.
//
// States: received -> acknowledged -> investigating -> closed (with an
// outcome); a closed clue can be reopened (back to investigating) by the
// unit directly above the handling unit. Every transition that the state
// does not allow is refused with errc::conflict and a sentence saying what
// the clue's state allows.
//
// Who sees a clue (clue_access): the unit handling it, and every unit it was
// escalated to (routing/escalation.hpp); to any other unit it does not exist
// (errc::not_found, so that its existence does not leak). Of those, only
// the handling unit acts on it; a unit it was escalated to may take it over
// (and then handles it). Roles are checked by authorize() (kWorkClues).
//
// Deadlines: taking a clue over or reopening it gives the new work fresh
// deadlines from `now` (routing::deadlines_for); every action replans when
// the escalation job must look at the clue next (routing::plan_escalation).
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clueline/routing/deadlines.hpp"
#include "clueline/routing/tree.hpp"
#include "clueline/services/authorization.hpp"
#include "clueline/services/outcome.hpp"
#include "clueline/storage/audit.hpp"
#include "clueline/storage/records.hpp"

namespace clueline::services {

enum class ClueAction {
  kAcknowledge,    // received -> acknowledged
  kInvestigate,    // acknowledged -> investigating
  kClose,          // acknowledged or investigating -> closed, with an outcome
  kReopen,         // closed -> investigating; by the unit above the handling unit
  kTakeOver,       // a unit the clue escalated to becomes its handling unit
  kLinkDuplicate,  // names the earlier clue this one repeats (before closing as duplicate)
  kReply,          // stores a reply sealed to the reporter's reply key; any state
  kTransfer,       // to a unit the policy allows (clue_moves.hpp)
  kRecuse,         // the unit steps aside; routing decides who has it (clue_moves.hpp)
};
// "acknowledge", "investigate", "close", "reopen", "take_over", "link_duplicate",
// "reply", "transfer", "recuse".
std::string_view clue_action_name(ClueAction action) noexcept;
std::optional<ClueAction> parse_clue_action(std::string_view name) noexcept;

// The outcomes a clue is closed with.
inline constexpr std::array<std::string_view, 5> kClueOutcomes = {
    "substantiated", "partly_substantiated", "unsubstantiated", "referred_elsewhere", "duplicate"};
bool valid_outcome(std::string_view outcome) noexcept;

enum class ClueAccess {
  kNone,         // the clue does not exist for this unit
  kHandling,     // the unit handles it
  kEscalatedTo,  // it became visible to the unit when a deadline passed below
};
ClueAccess clue_access(const storage::Clue& clue, std::uint32_t unit_id) noexcept;

// Whether the actor's role works clues at all (kWorkClues in its own unit).
// A caller whose role does not is told "no such clue" for every clue.
bool works_clues(const Actor& actor, const routing::Tree& tree);

// The authorization of `actor` to see `clue` at all: nothing, or a refusal
// (not_found for a unit without access or a role that never sees clues).
std::optional<Refusal> may_see_clue(const Actor& actor, const storage::Clue& clue,
                                    const routing::Tree& tree);

// A clue keeps at most this many replies to its reporter.
inline constexpr std::uint32_t kMaxReplies = 100;

struct ClueActionRequest {
  ClueAction action = ClueAction::kAcknowledge;
  std::string outcome;                   // kClose: one of kClueOutcomes
  std::optional<storage::ClueId> other;  // kLinkDuplicate: the earlier clue
  // kReply: a payload (crypto-spec §4, reply domain) sealed on the
  // supervisor's device to the clue's reply public key, its only recipient.
  std::string sealed_reply;
  std::uint32_t to_unit = 0;  // kTransfer: the unit to hand the clue to
  std::string reason;         // kTransfer, kRecuse: why, 1..kMaxReasonBytes
  // kTransfer, kRecuse: the envelope's data key sealed on the device to the
  // new unit's keys it cannot open the clue with yet (crypto-spec §9.3).
  std::vector<storage::KeyEntry> key_entries;
};
inline constexpr std::size_t kMaxReasonBytes = 500;

struct ClueTransition {
  storage::Clue after;         // the record to store
  storage::AuditRecord audit;  // actor "account:<id>", action "clue.<name>"
  // Records stored with it in the same batch: the sealed note of a reply.
  std::vector<storage::Mutation> records;
};

// The record after `request` by `actor` at `now`, or why not: not_found
// (may_see_clue), forbidden (the unit sees the clue but may not do this, with
// who may), conflict (the state does not allow it, with what it allows),
// invalid_argument (a missing or unknown outcome; a clue linked to itself; a
// reply that is not a payload sealed to the reporter's reply key alone).
// Only the handling unit replies, in any state; the kMaxReplies-th reply is
// the last (conflict after it).
// For kLinkDuplicate the caller has checked that the actor sees `other`.
Outcome<ClueTransition> plan_clue_action(const storage::Clue& clue,
                                         const ClueActionRequest& request, const Actor& actor,
                                         const routing::Tree& tree,
                                         const routing::DeadlinePolicy& policy,
                                         storage::UnixSeconds now);

// The transition that stores `after` (changed from `before` by `action` of
// `actor` at `now`): the event with `detail` appended, the next escalation
// check replanned, and the audit entry "clue.<action>" whose detail holds
// the units and status, `detail` and `audit_fields`. For the planners of
// clue_moves.hpp, which share it with plan_clue_action.
ClueTransition record_transition(
    const storage::Clue& before, storage::Clue after, const Actor& actor, ClueAction action,
    std::string detail, const routing::Tree& tree, const routing::DeadlinePolicy& policy,
    storage::UnixSeconds now, std::vector<std::pair<std::string, std::string>> audit_fields = {});

// The audit record of a supervisor reading a clue ("clue.open").
storage::AuditRecord clue_opened_record(const storage::Clue& clue, const Actor& actor,
                                        storage::UnixSeconds now);

}  // namespace clueline::services
