// Automatic escalation: which units above the handling unit may see an
// overdue clue, from when, and when to look at the clue again.
//
// A clue past a deadline becomes visible to the nearest receiving unit above
// the unit handling it at the moment the deadline passes; while it stays
// overdue, every further DeadlinePolicy::escalation_working_days working days
// it becomes visible to the next receiving unit up, until the root sees it.
// Units without a current key are passed over: nobody there could read or
// act on the clue. Visibility only grows; a clue acknowledged late stays
// visible to the units that saw it overdue.
//
// The deadlines that escalate:
//   acknowledge_overdue  not yet acknowledged at acknowledge_by
//   handle_overdue       not yet closed at handle_by
// Both ladders start from the first receiving unit above the handling unit,
// so a clue both unacknowledged and unhandled is not escalated twice as fast.
//
// Pure function over values (the caller passes `now`, so tests use a fake
// clock); safe to call from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "clueline/routing/deadlines.hpp"
#include "clueline/routing/tree.hpp"

namespace clueline::routing {

enum class EscalationReason : std::uint8_t { kAcknowledgeOverdue, kHandleOverdue };
// "acknowledge_overdue", "handle_overdue".
std::string_view reason_name(EscalationReason reason) noexcept;

struct EscalationInput {
  std::uint32_t unit_id = 0;  // the handling unit
  bool acknowledged = false;  // acknowledged (or further along), or closed
  bool closed = false;
  UnixSeconds acknowledge_by = 0;
  UnixSeconds handle_by = 0;
  std::span<const std::uint32_t> visible_to = {};  // units it was escalated to before
};

struct EscalationStep {
  std::uint32_t unit_id = 0;  // a receiving unit above the handling unit
  EscalationReason reason = EscalationReason::kAcknowledgeOverdue;
  UnixSeconds deadline = 0;  // the deadline that was missed
  UnixSeconds due_at = 0;    // when this unit was due to see the clue (<= now)
};

struct EscalationPlan {
  // Units to make the clue visible to now, nearest first, each at most once
  // and none already in visible_to.
  std::vector<EscalationStep> steps;
  // The next instant (> now) at which another step falls due if nothing
  // changes; 0 if none ever will (closed, or every unit above sees it, or
  // no receiving unit above).
  UnixSeconds next_check_at = 0;
};

// An unknown unit_id gives an empty plan with next_check_at 0.
EscalationPlan plan_escalation(const Tree& tree, const DeadlinePolicy& policy,
                               const EscalationInput& input, UnixSeconds now);

}  // namespace clueline::routing
