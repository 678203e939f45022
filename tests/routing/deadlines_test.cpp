#include "clueline/routing/deadlines.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace clueline::routing {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

constexpr int kChina = 8 * 60;  // UTC+8 in minutes

Date ymd(int y, unsigned m, unsigned d) { return Date{year(y), month(m), day(d)}; }

// The fake clock: an instant given as a local wall-clock time at `offset`
// minutes east of UTC, computed here without going through Calendar.
UnixSeconds at_local(const Date& date, int hour, int minute, int offset = kChina) {
  const auto days = std::chrono::sys_days(date).time_since_epoch().count();
  return static_cast<UnixSeconds>(days) * 86'400 + hour * 3'600 + minute * 60 - offset * 60;
}

Calendar must_make(std::set<Date> holidays, std::set<Date> extra, int offset = kChina) {
  auto r = Calendar::make(std::move(holidays), std::move(extra), offset);
  EXPECT_TRUE(r.has_value());
  return r.has_value() ? std::move(r).value() : Calendar();
}

// The 2026 National Day week as announced in the usual pattern: Oct 1-7 off,
// with the neighbouring Sunday Sep 27 and Saturday Oct 10 worked instead.
Calendar national_day_2026() {
  std::set<Date> holidays;
  for (unsigned d = 1; d <= 7; ++d) {
    holidays.insert(ymd(2026, 10, d));
  }
  return must_make(holidays, {ymd(2026, 9, 27), ymd(2026, 10, 10)});
}

void expect_rejected(std::string_view text) {
  const auto r = parse_date(text);
  ASSERT_FALSE(r.has_value()) << "accepted \"" << text << "\"";
  EXPECT_EQ(r.error(), make_error_code(errc::invalid_argument));
}

TEST(ParseDate, RoundTripsRealDates) {
  for (const std::string_view text :
       {"1970-01-01", "2026-02-28", "2024-02-29", "2026-10-01", "2000-02-29", "9999-12-31"}) {
    const auto r = parse_date(text);
    ASSERT_TRUE(r.has_value()) << text;
    EXPECT_EQ(format_date(*r), text);
  }
  const auto r = parse_date("2026-03-06");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, ymd(2026, 3, 6));
}

TEST(ParseDate, RejectsMalformedOrImpossibleDates) {
  expect_rejected("2026-02-30");   // no such day
  expect_rejected("2025-02-29");   // not a leap year
  expect_rejected("1900-02-29");   // centuries are not leap years (and before 1970)
  expect_rejected("2026-2-01");    // short month field
  expect_rejected("2026-02-1");    // short day field
  expect_rejected("");             // empty
  expect_rejected("2026-02-01x");  // trailing garbage
  expect_rejected(" 2026-02-01");  // leading space
  expect_rejected("1969-12-31");   // before the epoch
  expect_rejected("0000-01-01");
  expect_rejected("2026-13-01");
  expect_rejected("2026-00-10");
  expect_rejected("2026-01-00");
  expect_rejected("2026/02/01");
  expect_rejected("2026-02+01");
  expect_rejected("+026-02-01");
  expect_rejected("2026--2-01");
  expect_rejected("10000-01-01");
  expect_rejected(std::string_view("2026-02-0\0", 10));
}

TEST(FormatDate, PadsFields) {
  EXPECT_EQ(format_date(ymd(2026, 3, 6)), "2026-03-06");
  EXPECT_EQ(format_date(ymd(1970, 1, 1)), "1970-01-01");
}

TEST(Calendar, DefaultsToUtcPlusEightWithoutHolidays) {
  const Calendar calendar;
  EXPECT_EQ(calendar.utc_offset_minutes(), 480);
  // 2026-03-02 is a Monday.
  for (unsigned d = 2; d <= 6; ++d) {
    EXPECT_TRUE(calendar.is_working_day(ymd(2026, 3, d))) << d;
  }
}

TEST(Calendar, WeekendsAreNotWorkingDays) {
  const Calendar calendar;
  EXPECT_FALSE(calendar.is_working_day(ymd(2026, 3, 7)));  // Saturday
  EXPECT_FALSE(calendar.is_working_day(ymd(2026, 3, 8)));  // Sunday
  EXPECT_FALSE(calendar.is_working_day(ymd(1970, 1, 3)));  // Saturday
  EXPECT_TRUE(calendar.is_working_day(ymd(1970, 1, 1)));   // Thursday
}

TEST(Calendar, HolidayOnAWeekdayIsSkipped) {
  // Wednesday 2026-03-11 is a holiday.
  const Calendar calendar = must_make({ymd(2026, 3, 11)}, {});
  EXPECT_FALSE(calendar.is_working_day(ymd(2026, 3, 11)));
  EXPECT_TRUE(calendar.is_working_day(ymd(2026, 3, 10)));
  // From Monday 09:00, 2 working days are Tue 10 and Thu 12 (Wed skipped):
  // the end is Fri 13 00:00 local. Without the holiday it would be Thu 12.
  const UnixSeconds from = at_local(ymd(2026, 3, 9), 9, 0);
  EXPECT_EQ(calendar.add_working_days(from, 2), at_local(ymd(2026, 3, 13), 0, 0));
  EXPECT_EQ(Calendar().add_working_days(from, 2), at_local(ymd(2026, 3, 12), 0, 0));
}

TEST(Calendar, ExtraWorkingDayOnASaturdayCounts) {
  const Calendar calendar = must_make({}, {ymd(2026, 3, 7)});
  EXPECT_TRUE(calendar.is_working_day(ymd(2026, 3, 7)));
  EXPECT_FALSE(calendar.is_working_day(ymd(2026, 3, 8)));
  // From Friday 2026-03-06, the first working day is Saturday 7: the end is
  // Sunday 8 00:00 local instead of Tuesday 10 00:00.
  const UnixSeconds from = at_local(ymd(2026, 3, 6), 10, 0);
  EXPECT_EQ(calendar.add_working_days(from, 1), at_local(ymd(2026, 3, 8), 0, 0));
  EXPECT_EQ(Calendar().add_working_days(from, 1), at_local(ymd(2026, 3, 10), 0, 0));
}

TEST(Calendar, FiveWorkingDaysFromFridayAfternoonEndAtNextFridayMidnight) {
  const Calendar calendar;
  // Friday 2026-03-06 15:00 +08 = 07:00 UTC.
  const UnixSeconds from = at_local(ymd(2026, 3, 6), 15, 0);
  ASSERT_EQ(from, 1'772'780'400);
  // Mon 9, Tue 10, Wed 11, Thu 12, Fri 13; Friday 24:00 +08 is Saturday
  // 00:00 +08 = Friday 2026-03-13 16:00 UTC (checked with `date -u`).
  EXPECT_EQ(calendar.add_working_days(from, 5), 1'773'417'600);
}

TEST(Calendar, SpanAcrossNationalDayWeek) {
  const Calendar calendar = national_day_2026();
  // Friday 2026-09-25 10:00 +08 = 02:00 UTC.
  const UnixSeconds from = at_local(ymd(2026, 9, 25), 10, 0);
  ASSERT_EQ(from, 1'790'301'600);
  // Sat 26 no; Sun 27 worked (1); Mon 28 (2); Tue 29 (3); Wed 30 (4);
  // Oct 1-7 off (Sat 3, Sun 4 would be off anyway); Thu 8 (5); Fri 9 (6);
  // Sat 10 worked (7). The 7th ends Sun 2026-10-11 00:00 +08 = Sat 10
  // 16:00 UTC.
  EXPECT_EQ(calendar.add_working_days(from, 7), 1'791'648'000);
  EXPECT_EQ(calendar.add_working_days(from, 5), at_local(ymd(2026, 10, 9), 0, 0));
  EXPECT_EQ(calendar.add_working_days(from, 4), at_local(ymd(2026, 10, 1), 0, 0));
  // Plain weekdays instead: Mon 28, 29, 30, Oct 1, 2, Mon 5, Tue 6 -> Oct 7.
  EXPECT_EQ(Calendar().add_working_days(from, 7), at_local(ymd(2026, 10, 7), 0, 0));
}

TEST(Calendar, TheDayOfFromNeverCountsEvenIfItIsAWorkingDay) {
  const Calendar calendar;
  // Monday 00:00 exactly: Monday does not count, Tuesday is the first.
  const UnixSeconds monday = at_local(ymd(2026, 3, 9), 0, 0);
  EXPECT_EQ(calendar.add_working_days(monday, 1), at_local(ymd(2026, 3, 11), 0, 0));
  // Sunday: Monday is the first.
  const UnixSeconds sunday = at_local(ymd(2026, 3, 8), 12, 0);
  EXPECT_EQ(calendar.add_working_days(sunday, 1), at_local(ymd(2026, 3, 10), 0, 0));
}

TEST(Calendar, JustBeforeAndAfterLocalMidnightDiffer) {
  const Calendar calendar;
  // Thursday 23:59: the first working day is Friday, ending Sat 00:00.
  const UnixSeconds before = at_local(ymd(2026, 3, 5), 23, 59);
  EXPECT_EQ(calendar.add_working_days(before, 1), at_local(ymd(2026, 3, 7), 0, 0));
  // Friday 00:01: Friday no longer counts, Monday does, ending Tue 00:00.
  const UnixSeconds after = at_local(ymd(2026, 3, 6), 0, 1);
  EXPECT_EQ(after - before, 120);
  EXPECT_EQ(calendar.add_working_days(after, 1), at_local(ymd(2026, 3, 10), 0, 0));
}

TEST(Calendar, TheUtcOffsetMatters) {
  // Thursday 2026-03-05 20:00 UTC is still Thursday in London but already
  // Friday 04:00 in Beijing.
  const UnixSeconds instant = at_local(ymd(2026, 3, 5), 20, 0, 0);
  const Calendar utc = must_make({}, {}, 0);
  const Calendar china = must_make({}, {}, kChina);
  EXPECT_EQ(utc.local_date(instant), ymd(2026, 3, 5));
  EXPECT_EQ(china.local_date(instant), ymd(2026, 3, 6));
  // UTC: Friday counts, ending Sat 00:00 UTC.
  EXPECT_EQ(utc.add_working_days(instant, 1), at_local(ymd(2026, 3, 7), 0, 0, 0));
  // UTC+8: Monday counts, ending Tue 00:00 +08 = Mon 16:00 UTC.
  EXPECT_EQ(china.add_working_days(instant, 1), at_local(ymd(2026, 3, 9), 16, 0, 0));
}

TEST(Calendar, LocalDateAndStartOfAgree) {
  const Calendar china;
  const Date friday = ymd(2026, 3, 6);
  const UnixSeconds midnight = china.start_of(friday);
  // 2026-03-06 00:00 +08 = 2026-03-05 16:00 UTC.
  EXPECT_EQ(midnight, at_local(ymd(2026, 3, 5), 16, 0, 0));
  EXPECT_EQ(china.local_date(midnight), friday);
  EXPECT_EQ(china.local_date(midnight - 1), ymd(2026, 3, 5));
  EXPECT_EQ(china.local_date(midnight + 86'399), friday);
  EXPECT_EQ(china.local_date(midnight + 86'400), ymd(2026, 3, 7));
}

TEST(Calendar, LocalDateFloorsBeforeTheEpoch) {
  const Calendar utc = must_make({}, {}, 0);
  const Calendar west = must_make({}, {}, -60);
  const Calendar china;
  EXPECT_EQ(utc.local_date(0), ymd(1970, 1, 1));
  EXPECT_EQ(utc.local_date(-1), ymd(1969, 12, 31));
  EXPECT_EQ(utc.local_date(-86'400), ymd(1969, 12, 31));
  EXPECT_EQ(utc.local_date(-86'401), ymd(1969, 12, 30));
  EXPECT_EQ(west.local_date(0), ymd(1969, 12, 31));
  EXPECT_EQ(west.local_date(3'600), ymd(1970, 1, 1));
  EXPECT_EQ(china.local_date(-8 * 3'600), ymd(1970, 1, 1));
  EXPECT_EQ(china.local_date(-8 * 3'600 - 1), ymd(1969, 12, 31));
  EXPECT_EQ(west.start_of(ymd(1970, 1, 1)), 3'600);
  EXPECT_EQ(china.start_of(ymd(1970, 1, 1)), -8 * 3'600);
}

TEST(Calendar, LocalDateDoesNotOverflowAtTheExtremes) {
  // Only checks that nothing traps (UBSan) at the int64 limits; the dates
  // there are outside what std::chrono::year can represent.
  const Calendar east = must_make({}, {}, 840);
  const Calendar west = must_make({}, {}, -840);
  (void)east.local_date(std::numeric_limits<UnixSeconds>::max());
  (void)east.local_date(std::numeric_limits<UnixSeconds>::min());
  (void)west.local_date(std::numeric_limits<UnixSeconds>::max());
  (void)west.local_date(std::numeric_limits<UnixSeconds>::min());
  SUCCEED();
}

TEST(Calendar, CountOutsideTheValidRangeIsClamped) {
  const Calendar calendar;
  const UnixSeconds from = at_local(ymd(2026, 3, 6), 15, 0);
  EXPECT_EQ(calendar.add_working_days(from, 0), calendar.add_working_days(from, 1));
  EXPECT_EQ(calendar.add_working_days(from, -5), calendar.add_working_days(from, 1));
  // 3,660 working days are exactly 732 weeks with no holidays: from a Friday
  // the last one is a Friday, 732 weeks later.
  const UnixSeconds cap = at_local(ymd(2026, 3, 7), 0, 0) + 732LL * 7 * 86'400;
  EXPECT_EQ(calendar.add_working_days(from, 3'660), cap);
  EXPECT_EQ(calendar.add_working_days(from, 1'000'000'000), cap);
}

TEST(Calendar, MakeRefusesADateInBothSets) {
  const auto r = Calendar::make({ymd(2026, 10, 1), ymd(2026, 10, 2)}, {ymd(2026, 10, 2)}, kChina);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), make_error_code(errc::invalid_argument));
}

TEST(Calendar, MakeRefusesOffsetsBeyondFourteenHours) {
  for (const int offset : {841, -841, 24 * 60, -24 * 60, std::numeric_limits<int>::max(),
                           std::numeric_limits<int>::min()}) {
    const auto r = Calendar::make({}, {}, offset);
    ASSERT_FALSE(r.has_value()) << offset;
    EXPECT_EQ(r.error(), make_error_code(errc::invalid_argument));
  }
  for (const int offset : {840, -840, 0, 330, -570}) {
    const auto r = Calendar::make({}, {}, offset);
    ASSERT_TRUE(r.has_value()) << offset;
    EXPECT_EQ(r->utc_offset_minutes(), offset);
  }
}

TEST(Deadlines, DefaultsAreFifteenAndNinetyCalendarDays) {
  const DeadlinePolicy policy;
  // Wednesday 4 March 2026: day 15 is Thursday 19 March, day 90 Tuesday 2 June.
  const UnixSeconds received = at_local(ymd(2026, 3, 4), 15, 0);
  const ClueDeadlines d = deadlines_for(policy, received);
  EXPECT_EQ(d.acknowledge_by, received + 15 * 86'400);
  EXPECT_EQ(d.handle_by, received + 90 * 86'400);
  EXPECT_EQ(d, (ClueDeadlines{received + 1'296'000, received + 7'776'000}));
}

TEST(Deadlines, APeriodEndingOnAWeekendEndsWithTheNextWorkingDay) {
  const DeadlinePolicy policy;
  // Friday 6 March 2026 15:00: day 15 is Saturday 21 March, so the
  // acknowledgement is due by the end of Monday 23 March; day 90 is a
  // Thursday and keeps its time of day.
  const UnixSeconds received = at_local(ymd(2026, 3, 6), 15, 0);
  const ClueDeadlines d = deadlines_for(policy, received);
  EXPECT_EQ(d.acknowledge_by, at_local(ymd(2026, 3, 24), 0, 0));
  EXPECT_EQ(d.handle_by, received + 90 * 86'400);
}

TEST(Deadlines, APeriodEndingInAHolidayWeekEndsWithTheFirstWorkingDayAfterIt) {
  DeadlinePolicy policy;
  policy.acknowledge_days = 3;
  policy.handle_days = 15;
  policy.calendar = national_day_2026();
  // Received on the holiday itself, at an odd second. Day 3 is Sunday 4
  // October, inside the holiday week: due by the end of Thursday 8 October.
  // Day 15 is Friday 16 October, a working day: the time of day is kept.
  const UnixSeconds received = at_local(ymd(2026, 10, 1), 13, 37) + 11;
  const ClueDeadlines d = deadlines_for(policy, received);
  EXPECT_EQ(d.acknowledge_by, at_local(ymd(2026, 10, 9), 0, 0));
  EXPECT_EQ(d.handle_by, at_local(ymd(2026, 10, 16), 13, 37) + 11);
}

TEST(Deadlines, AnExtraWorkingDayOnASaturdayIsNotMoved) {
  DeadlinePolicy policy;
  policy.acknowledge_days = 13;
  policy.calendar = national_day_2026();
  // Sunday 27 September is worked: 13 days after Monday 14
  // September 09:00 is Sunday 27 September 09:00, which stays.
  const UnixSeconds received = at_local(ymd(2026, 9, 14), 9, 0);
  EXPECT_EQ(deadlines_for(policy, received).acknowledge_by, at_local(ymd(2026, 9, 27), 9, 0));
  // Without the swap, the same Sunday moves to the end of Monday 28.
  policy.calendar = must_make({}, {});
  EXPECT_EQ(deadlines_for(policy, received).acknowledge_by, at_local(ymd(2026, 9, 29), 0, 0));
}

TEST(Deadlines, TransferUsesTransferWorkingDays) {
  DeadlinePolicy policy;
  policy.calendar = national_day_2026();
  const UnixSeconds decided = at_local(ymd(2026, 9, 25), 10, 0);
  // Default 5: Sun 27, Mon 28, Tue 29, Wed 30, Thu Oct 8 -> ends Fri 9 00:00.
  EXPECT_EQ(transfer_deadline(policy, decided), at_local(ymd(2026, 10, 9), 0, 0));
  policy.transfer_working_days = 2;
  // Sun 27, Mon 28 -> ends Tue 29 00:00.
  EXPECT_EQ(transfer_deadline(policy, decided), at_local(ymd(2026, 9, 29), 0, 0));
  policy.transfer_working_days = 7;
  EXPECT_EQ(transfer_deadline(policy, decided), at_local(ymd(2026, 10, 11), 0, 0));
}

}  // namespace
}  // namespace clueline::routing
