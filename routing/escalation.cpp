#include "clueline/routing/escalation.hpp"

#include <algorithm>
#include <optional>

namespace clueline::routing {

std::string_view reason_name(EscalationReason reason) noexcept {
  switch (reason) {
    case EscalationReason::kAcknowledgeOverdue:
      return "acknowledge_overdue";
    case EscalationReason::kHandleOverdue:
      return "handle_overdue";
  }
  return "unknown";
}

EscalationPlan plan_escalation(const Tree& tree, const DeadlinePolicy& policy,
                               const EscalationInput& input, UnixSeconds now) {
  EscalationPlan plan;
  if (tree.find(input.unit_id) == nullptr || input.closed) return plan;

  std::vector<std::uint32_t> ladder;
  for (const UnitNode* above : tree.ancestors(input.unit_id)) {
    if (above->receiving) ladder.push_back(above->id);
  }
  const auto already_visible = [&](std::uint32_t unit_id) {
    return std::find(input.visible_to.begin(), input.visible_to.end(), unit_id) !=
               input.visible_to.end() ||
           std::any_of(plan.steps.begin(), plan.steps.end(),
                       [unit_id](const EscalationStep& step) { return step.unit_id == unit_id; });
  };

  std::optional<UnixSeconds> next;
  const auto climb = [&](EscalationReason reason, UnixSeconds deadline) {
    for (std::size_t level = 0; level < ladder.size(); ++level) {
      // Level 0 sees it the moment the deadline passes; each level above
      // waits escalation_working_days more working days.
      const UnixSeconds due_at =
          level == 0 ? deadline
                     : policy.calendar.add_working_days(
                           deadline, policy.escalation_working_days * static_cast<int>(level));
      if (already_visible(ladder[level])) continue;
      if (due_at <= now) {
        plan.steps.push_back({ladder[level], reason, deadline, due_at});
      } else {
        if (!next || due_at < *next) next = due_at;
        return;  // the levels above fall due later still
      }
    }
  };
  if (!input.acknowledged) climb(EscalationReason::kAcknowledgeOverdue, input.acknowledge_by);
  climb(EscalationReason::kHandleOverdue, input.handle_by);

  // Nearest first, whatever deadline brought each unit in.
  std::stable_sort(plan.steps.begin(), plan.steps.end(),
                   [&](const EscalationStep& a, const EscalationStep& b) {
                     return std::find(ladder.begin(), ladder.end(), a.unit_id) <
                            std::find(ladder.begin(), ladder.end(), b.unit_id);
                   });
  plan.next_check_at = next.value_or(0);
  return plan;
}

}  // namespace clueline::routing
