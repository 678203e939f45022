#include "clueline/routing/escalation.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

namespace clueline::routing {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

Date ymd(int y, unsigned m, unsigned d) { return Date{year(y), month(m), day(d)}; }

// A local wall-clock instant at UTC+8, computed without Calendar.
UnixSeconds at_local(const Date& date, int hour, int minute) {
  const auto days = std::chrono::sys_days(date).time_since_epoch().count();
  return static_cast<UnixSeconds>(days) * 86'400 + hour * 3'600 + minute * 60 - 8 * 3'600;
}

// province 1 > city 2 (no key) > county 3 > township 4 > village 5.
Tree five_levels() {
  auto tree = Tree::make({{1, 0, "province", true, "Province"},
                          {2, 1, "city", false, "City"},
                          {3, 2, "county", true, "County"},
                          {4, 3, "township", true, "Township"},
                          {5, 4, "village", false, "Village"}},
                         Levels{});
  EXPECT_TRUE(tree.has_value());
  return std::move(tree).value();
}

DeadlinePolicy policy_with(std::set<Date> holidays = {}, std::set<Date> extra = {}) {
  DeadlinePolicy policy;
  auto calendar = Calendar::make(std::move(holidays), std::move(extra), 8 * 60);
  EXPECT_TRUE(calendar.has_value());
  if (calendar) policy.calendar = *calendar;
  return policy;
}

// Received Monday 2 March 2026 10:00; acknowledge by Tuesday 17 March 10:00,
// handle by Sunday 31 May -> end of Monday 1 June (deadlines_for's rule).
struct Fixture {
  Tree tree = five_levels();
  DeadlinePolicy policy = policy_with();
  UnixSeconds received = at_local(ymd(2026, 3, 2), 10, 0);
  ClueDeadlines deadlines = deadlines_for(policy, received);
  std::vector<std::uint32_t> visible;

  EscalationInput input(std::uint32_t unit = 4) const {
    return {.unit_id = unit,
            .acknowledge_by = deadlines.acknowledge_by,
            .handle_by = deadlines.handle_by,
            .visible_to = visible};
  }
};

std::vector<std::uint32_t> units_of(const EscalationPlan& plan) {
  std::vector<std::uint32_t> out;
  for (const auto& step : plan.steps) out.push_back(step.unit_id);
  return out;
}

TEST(Escalation, NothingBeforeTheDeadlineAndTheNextCheckIsTheDeadline) {
  Fixture f;
  ASSERT_EQ(f.deadlines.acknowledge_by, at_local(ymd(2026, 3, 17), 10, 0));
  const auto plan = plan_escalation(f.tree, f.policy, f.input(), f.deadlines.acknowledge_by - 1);
  EXPECT_TRUE(plan.steps.empty());
  EXPECT_EQ(plan.next_check_at, f.deadlines.acknowledge_by);
}

TEST(Escalation, UnacknowledgedAtTheDeadlineTheParentSeesItThenTheGrandparent) {
  Fixture f;
  const auto first = plan_escalation(f.tree, f.policy, f.input(), f.deadlines.acknowledge_by);
  ASSERT_EQ(units_of(first), (std::vector<std::uint32_t>{3}));
  EXPECT_EQ(first.steps[0].reason, EscalationReason::kAcknowledgeOverdue);
  EXPECT_EQ(first.steps[0].deadline, f.deadlines.acknowledge_by);
  EXPECT_EQ(first.steps[0].due_at, f.deadlines.acknowledge_by);
  // The city has no key, so the province is next: five working days after
  // Tuesday 17 March (Wed..Fri, Mon, Tue) end at Wednesday 25 March 00:00.
  const UnixSeconds province_due = at_local(ymd(2026, 3, 25), 0, 0);
  EXPECT_EQ(first.next_check_at, province_due);

  f.visible = {3};
  const auto waiting = plan_escalation(f.tree, f.policy, f.input(), province_due - 1);
  EXPECT_TRUE(waiting.steps.empty());
  EXPECT_EQ(waiting.next_check_at, province_due);

  const auto second = plan_escalation(f.tree, f.policy, f.input(), province_due);
  ASSERT_EQ(units_of(second), (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(second.steps[0].due_at, province_due);
  EXPECT_EQ(second.next_check_at, 0) << "every receiving unit above sees it";

  f.visible = {3, 1};
  const auto done = plan_escalation(f.tree, f.policy, f.input(), f.deadlines.handle_by + 86'400);
  EXPECT_TRUE(done.steps.empty());
  EXPECT_EQ(done.next_check_at, 0);
}

TEST(Escalation, AJobThatWasDownCatchesUpEveryLevelAtOnceNearestFirst) {
  Fixture f;
  const auto plan = plan_escalation(f.tree, f.policy, f.input(5), f.deadlines.handle_by + 1);
  // Handled by the (keyless) village in this input: township, county, province.
  EXPECT_EQ(units_of(plan), (std::vector<std::uint32_t>{4, 3, 1}));
  for (const auto& step : plan.steps) {
    EXPECT_EQ(step.reason, EscalationReason::kAcknowledgeOverdue);
    EXPECT_LE(step.due_at, f.deadlines.handle_by + 1);
  }
  EXPECT_EQ(plan.next_check_at, 0);
}

TEST(Escalation, AcknowledgedButUnhandledEscalatesFromTheHandleDeadline) {
  Fixture f;
  auto input = f.input();
  input.acknowledged = true;
  const auto early = plan_escalation(f.tree, f.policy, input, f.deadlines.acknowledge_by + 1);
  EXPECT_TRUE(early.steps.empty()) << "acknowledged in time";
  EXPECT_EQ(early.next_check_at, f.deadlines.handle_by);

  const auto late = plan_escalation(f.tree, f.policy, input, f.deadlines.handle_by);
  ASSERT_EQ(units_of(late), (std::vector<std::uint32_t>{3}));
  EXPECT_EQ(late.steps[0].reason, EscalationReason::kHandleOverdue);
  EXPECT_EQ(late.steps[0].deadline, f.deadlines.handle_by);
}

TEST(Escalation, TheHandleLadderContinuesAboveUnitsThatSawItForTheAcknowledgement) {
  Fixture f;
  f.visible = {3};  // escalated when the acknowledgement was late
  auto input = f.input();
  input.acknowledged = true;  // acknowledged late, never closed
  const UnixSeconds province_due =
      f.policy.calendar.add_working_days(f.deadlines.handle_by, f.policy.escalation_working_days);
  const auto at_handle = plan_escalation(f.tree, f.policy, input, f.deadlines.handle_by);
  EXPECT_TRUE(at_handle.steps.empty()) << "the county already sees it";
  EXPECT_EQ(at_handle.next_check_at, province_due);
  const auto later = plan_escalation(f.tree, f.policy, input, province_due);
  ASSERT_EQ(units_of(later), (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(later.steps[0].reason, EscalationReason::kHandleOverdue);
}

TEST(Escalation, ClosedCluesRootUnitsAndUnknownUnitsNeverEscalate) {
  Fixture f;
  auto closed = f.input();
  closed.acknowledged = closed.closed = true;
  const auto plan = plan_escalation(f.tree, f.policy, closed, f.deadlines.handle_by + 1);
  EXPECT_TRUE(plan.steps.empty());
  EXPECT_EQ(plan.next_check_at, 0);

  const auto at_root = plan_escalation(f.tree, f.policy, f.input(1), f.deadlines.handle_by + 1);
  EXPECT_TRUE(at_root.steps.empty());
  EXPECT_EQ(at_root.next_check_at, 0);

  const auto unknown = plan_escalation(f.tree, f.policy, f.input(99), f.deadlines.handle_by + 1);
  EXPECT_TRUE(unknown.steps.empty());
  EXPECT_EQ(unknown.next_check_at, 0);
}

TEST(Escalation, TheIntervalBetweenLevelsSkipsHolidaysAndCountsSwappedWorkingDays) {
  Fixture f;
  std::set<Date> holidays;
  for (unsigned d = 1; d <= 7; ++d) holidays.insert(ymd(2026, 10, d));
  f.policy = policy_with(holidays, {ymd(2026, 9, 27), ymd(2026, 10, 10)});
  f.policy.escalation_working_days = 3;
  // Acknowledgement due Wednesday 30 September 10:00. Three working days
  // after it: Thursday 8, Friday 9, Saturday 10 (worked) -> Sunday 11 00:00.
  auto input = f.input();
  input.acknowledge_by = at_local(ymd(2026, 9, 30), 10, 0);
  input.handle_by = at_local(ymd(2026, 12, 29), 10, 0);
  const auto first = plan_escalation(f.tree, f.policy, input, input.acknowledge_by + 60);
  ASSERT_EQ(units_of(first), (std::vector<std::uint32_t>{3}));
  EXPECT_EQ(first.next_check_at, at_local(ymd(2026, 10, 11), 0, 0));
}

TEST(Escalation, ReasonNames) {
  EXPECT_EQ(reason_name(EscalationReason::kAcknowledgeOverdue), "acknowledge_overdue");
  EXPECT_EQ(reason_name(EscalationReason::kHandleOverdue), "handle_overdue");
}

}  // namespace
}  // namespace clueline::routing
